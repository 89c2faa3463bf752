namespace EmailRelay.Verifiers;

/// <summary>The six facts a verifier program gets as arguments, in that order.</summary>
/// <param name="Address">The recipient, with a UTF-8 domain already converted to its A-label.</param>
/// <param name="From">The MAIL FROM address; empty for VRFY.</param>
/// <param name="Peer">The peer as <c>ip:port</c>.</param>
/// <param name="Domain">The relay's <c>--domain</c>.</param>
/// <param name="Mechanism">The auth mechanism in lower case, or <c>none</c>.</param>
/// <param name="AuthId">The SASL id, or for a trusted address the secrets-file keyword, or empty.</param>
public sealed record VerifierRequest(string Address, string From, string Peer, string Domain, string Mechanism, string AuthId)
{
    /// <summary>True when the request comes from VRFY rather than RCPT.</summary>
    public bool IsVrfy => From.Length == 0;
}
