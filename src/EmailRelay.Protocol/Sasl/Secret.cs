namespace EmailRelay.Protocol.Sasl;

/// <summary>
/// One secret from a secrets file line (reference §d), already decoded.
/// </summary>
/// <param name="Type">
/// Lower case: <c>plain</c> (<see cref="Value"/> is the password), <c>md5</c>, <c>sha1</c>, <c>sha256</c>,
/// <c>sha512</c> (the HMAC masked state), or <c>oauth</c> (the XOAUTH2 token).
/// </param>
/// <param name="Id">The decoded user id (empty for the <c>=</c> no-authentication client line).</param>
/// <param name="Value">The decoded secret bytes. Never log these.</param>
/// <param name="Source">Where it came from, e.g. <c>line 3</c>, for log lines.</param>
internal sealed record Secret(string Type, string Id, byte[] Value, string Source)
{
    /// <summary>True for the client line <c>plain:b = = selector</c>: no authentication for that selector.</summary>
    public bool IsNoAuth { get; init; }

    /// <summary>For an <c>oauth-refresh</c>, <c>oauth-client</c> or <c>oauth-command</c> line: where its tokens come from (<see cref="Value"/> is empty).</summary>
    public OAuthGrant? Grant { get; init; }

    /// <summary>The digest of a hashed secret, or null for <c>plain</c> and <c>oauth</c>.</summary>
    public HashKind? Hash => SecretTypes.HashOf(Type);

    /// <inheritdoc/>
    public override string ToString() => $"Secret {{ Type = {Type}, Id = {Id}, Source = {Source} }}";
}
