namespace EmailRelay.Protocol.Sasl;

/// <summary>A <c>server none</c> line that matched a peer address.</summary>
/// <param name="Keyword">The line's keyword, passed to address verifiers.</param>
/// <param name="Pattern">The line's address pattern as written, e.g. <c>127.0.0.0/8</c>.</param>
/// <param name="Line">The line number in the secrets file.</param>
internal sealed record TrustedPeer(string Keyword, string Pattern, int Line);
