using EmailRelay.Protocol.Mail;

namespace EmailRelay.Protocol.Smtp.Server;

/// <summary>
/// Work the session asks its driver to do before it can reply. A closed set: the driver switches on
/// the type, runs it, and answers with <see cref="SmtpServerSession.Complete"/> (or, for
/// <see cref="StartTls"/>, <see cref="SmtpServerSession.TlsEstablished"/>; for <see cref="Close"/>, nothing).
/// </summary>
internal abstract record SessionOperation
{
    private SessionOperation()
    {
    }

    /// <summary>Ask the address verifier about a RCPT or VRFY address; answer with <see cref="OperationResult.Verified"/>.</summary>
    /// <param name="Address">The address.</param>
    /// <param name="From">The MAIL FROM address; empty for VRFY.</param>
    /// <param name="IsVrfy">True for VRFY.</param>
    public sealed record VerifyRecipient(string Address, string From, bool IsVrfy) : SessionOperation;

    /// <summary>Create the spool message (content file) for the accepted MAIL.</summary>
    public sealed record BeginMessage : SessionOperation
    {
        /// <summary>The single instance.</summary>
        public static BeginMessage Instance { get; } = new();
    }

    /// <summary>Prepare the envelope, run the server filter, commit or remove (MessageIntake).</summary>
    /// <param name="Envelope">The envelope to write.</param>
    public sealed record CommitMessage(Envelope Envelope) : SessionOperation;

    /// <summary>Check that nothing is buffered, do the TLS handshake, then call <see cref="SmtpServerSession.TlsEstablished"/>.</summary>
    public sealed record StartTls : SessionOperation
    {
        /// <summary>The single instance.</summary>
        public static StartTls Instance { get; } = new();
    }

    /// <summary>Flush the replies and close the connection.</summary>
    public sealed record Close : SessionOperation
    {
        /// <summary>The single instance.</summary>
        public static Close Instance { get; } = new();
    }
}
