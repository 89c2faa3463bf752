using System.Net;
using EmailRelay.Protocol.Sasl;

namespace EmailRelay.Auth;

/// <summary>
/// The parsed contents of a secrets file (or of <c>--client-auth plain:</c>): immutable, thread-safe.
/// Build with <see cref="SecretsParser"/>.
/// </summary>
internal sealed class SecretsTable : ISecretLookup
{
    private readonly Dictionary<(string Type, string Id), Secret> _server;
    private readonly List<(AddressPattern Pattern, TrustedPeer Peer)> _trusted;
    private readonly Dictionary<string, List<Secret>> _client;

    /// <summary>Creates a table from parsed parts.</summary>
    public SecretsTable(Dictionary<(string Type, string Id), Secret> server, List<(AddressPattern Pattern, TrustedPeer Peer)> trusted, Dictionary<string, List<Secret>> client)
    {
        _server = server;
        _trusted = trusted;
        _client = client;
        ServerSecretTypes = server.Keys.Select(static k => k.Type).Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>An empty table.</summary>
    public static SecretsTable Empty { get; } = new([], [], []);

    /// <inheritdoc/>
    public bool HasServerSecrets => _server.Count > 0;

    /// <inheritdoc/>
    public bool IsPam => false;

    /// <inheritdoc/>
    public IReadOnlyCollection<string> ServerSecretTypes { get; }

    /// <inheritdoc/>
    public bool HasClientSecrets => _client.Count > 0;

    /// <summary>The number of trusted-address lines.</summary>
    public int TrustedCount => _trusted.Count;

    /// <inheritdoc/>
    public Secret? FindServerSecret(string type, string id) => _server.GetValueOrDefault((type, id));

    /// <inheritdoc/>
    public bool CheckPassword(string id, ReadOnlySpan<byte> password)
    {
        foreach (string type in ServerSecretTypes)
        {
            if (_server.TryGetValue((type, id), out Secret? secret) && SecretTypes.PasswordMatches(secret, password))
            {
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc/>
    public TrustedPeer? FindTrusted(IPAddress address)
    {
        foreach (var (pattern, peer) in _trusted)
        {
            if (pattern.Matches(address))
            {
                return peer;
            }
        }

        return null;
    }

    /// <inheritdoc/>
    public IReadOnlyList<Secret>? FindClientSecrets(string selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        if (_client.TryGetValue(selector, out List<Secret>? list))
        {
            return list;
        }

        return selector.Length == 0 ? [] : null;
    }
}
