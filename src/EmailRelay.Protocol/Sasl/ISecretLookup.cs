using System.Net;

namespace EmailRelay.Protocol.Sasl;

/// <summary>
/// What the SASL mechanisms need from a secrets store (a secrets file, <c>--client-auth plain:</c>, or PAM).
/// Implementations are thread-safe; a reloading file answers from its latest good contents.
/// </summary>
internal interface ISecretLookup
{
    /// <summary>True if the store has server secrets (any <c>server</c> line other than <c>none</c>), or is PAM.</summary>
    bool HasServerSecrets { get; }

    /// <summary>True for <c>pam:</c>: passwords are checked by PAM, only PLAIN is possible.</summary>
    bool IsPam { get; }

    /// <summary>The distinct types of the server secrets: <c>plain</c>, <c>md5</c>, <c>sha256</c>, ...</summary>
    IReadOnlyCollection<string> ServerSecretTypes { get; }

    /// <summary>The server secret of <paramref name="type"/> for <paramref name="id"/>, or null.</summary>
    Secret? FindServerSecret(string type, string id);

    /// <summary>Checks a PLAIN/LOGIN password for <paramref name="id"/> (plain or hashed secret, or PAM).</summary>
    bool CheckPassword(string id, ReadOnlySpan<byte> password);

    /// <summary>The first <c>server none</c> line matching <paramref name="address"/>, or null.</summary>
    TrustedPeer? FindTrusted(IPAddress address);

    /// <summary>True if the store has any client secret (including no-auth selector lines).</summary>
    bool HasClientSecrets { get; }

    /// <summary>
    /// The client secrets for <paramref name="selector"/> (empty string: the lines without a selector).
    /// Null if the selector is not empty and no line has it (an invalid selector).
    /// </summary>
    IReadOnlyList<Secret>? FindClientSecrets(string selector);
}
