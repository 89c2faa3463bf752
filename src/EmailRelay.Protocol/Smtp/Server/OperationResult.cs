using EmailRelay.Protocol.Mail;

namespace EmailRelay.Protocol.Smtp.Server;

/// <summary>The driver's answer to a <see cref="SessionOperation"/>.</summary>
internal readonly record struct OperationResult
{
    /// <summary>True if the operation succeeded.</summary>
    public bool IsSuccess { get; init; }

    /// <summary>For a failure: the reply to send (e.g. the filter's <c>553 rejected</c>, <c>452</c> for disk full).</summary>
    public SmtpReply Reply { get; init; }

    /// <summary>For <see cref="SessionOperation.VerifyRecipient"/>: the verifier's answer.</summary>
    public VerifierResult Verification { get; init; }

    /// <summary>The operation succeeded.</summary>
    public static OperationResult Success { get; } = new() { IsSuccess = true };

    /// <summary>The operation failed; <paramref name="reply"/> goes to the peer.</summary>
    public static OperationResult Failure(SmtpReply reply) => new() { IsSuccess = false, Reply = reply };

    /// <summary>The verifier answered.</summary>
    public static OperationResult Verified(VerifierResult result) => new() { IsSuccess = true, Verification = result };
}
