using System.Net;
using System.Text;
using EmailRelay.Protocol.Sasl;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Auth;

/// <summary>
/// <c>--server-auth=pam:</c> / <c>--pop-auth=pam:</c>: only PLAIN (and USER/PASS), passwords checked by
/// PAM; no stored secrets, no trusted addresses.
/// </summary>
internal sealed class PamSecrets : ISecretLookup
{
    private readonly PamAuthenticator _pam;
    private readonly ILogger _logger;

    /// <summary>Creates the store over an authenticator.</summary>
    public PamSecrets(PamAuthenticator pam, ILogger logger)
    {
        _pam = pam;
        _logger = logger;
    }

    /// <inheritdoc/>
    public bool HasServerSecrets => true;

    /// <inheritdoc/>
    public bool IsPam => true;

    /// <inheritdoc/>
    public IReadOnlyCollection<string> ServerSecretTypes => [];

    /// <inheritdoc/>
    public bool HasClientSecrets => false;

    /// <inheritdoc/>
    public Secret? FindServerSecret(string type, string id) => null;

    /// <inheritdoc/>
    public bool CheckPassword(string id, ReadOnlySpan<byte> password)
    {
        bool ok = _pam.Check(id, password);
        if (!ok && _pam.LastError is string error)
        {
            Log.PamWarning(_logger, error);
        }

        return ok;
    }

    /// <inheritdoc/>
    public TrustedPeer? FindTrusted(IPAddress address) => null;

    /// <inheritdoc/>
    public IReadOnlyList<Secret>? FindClientSecrets(string selector) => selector.Length == 0 ? [] : null;

    /// <summary>For tests: checks a text password.</summary>
    internal bool CheckPassword(string id, string password) => CheckPassword(id, Encoding.UTF8.GetBytes(password));
}
