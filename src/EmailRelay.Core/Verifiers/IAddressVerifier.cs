using EmailRelay.Protocol.Mail;

namespace EmailRelay.Verifiers;

/// <summary>
/// Decides whether a recipient is a local mailbox, a valid remote address or invalid (reference §c,
/// "Address verifier"). Consulted for every RCPT and every VRFY. Never throws for an address it
/// rejects; timeouts and exec errors are results too.
/// </summary>
public interface IAddressVerifier
{
    /// <summary>Verifies one address.</summary>
    Task<VerifierResult> VerifyAsync(VerifierRequest request, CancellationToken cancellationToken);
}
