using EmailRelay.Protocol.Mail;

namespace EmailRelay.Verifiers;

/// <summary>
/// The default address verifier, also used for <c>exit:N</c> (reference §c: the number is ignored):
/// every recipient is a valid remote address, stored unchanged. A VRFY of it therefore gets
/// <c>252 cannot verify but will accept: &lt;addr&gt;</c> from the session.
/// </summary>
internal sealed class AcceptAllVerifier : IAddressVerifier
{
    /// <summary>The one instance.</summary>
    public static AcceptAllVerifier Instance { get; } = new();

    /// <inheritdoc />
    public Task<VerifierResult> VerifyAsync(VerifierRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Task.FromResult(VerifierResult.AcceptRemote(request.Address));
    }
}
