namespace EmailRelay.Protocol.Mail;

/// <summary>What an address verifier decided about one recipient (reference §c, "Address verifier").</summary>
public enum VerifierStatus
{
    /// <summary>A local mailbox: <see cref="VerifierResult.Mailbox"/> goes into a <c>To-Local</c> line.</summary>
    Local,

    /// <summary>A valid remote address: <see cref="VerifierResult.Address"/> goes into a <c>To-Remote</c> line.</summary>
    Remote,

    /// <summary>Temporary failure: <c>450 &lt;response&gt;</c>.</summary>
    TemporaryFailure,

    /// <summary>Invalid: <c>550 &lt;response&gt;</c>.</summary>
    PermanentFailure,

    /// <summary>Drop the connection without a reply (verifier exit 100).</summary>
    Abort,
}

/// <summary>The verifier's answer for one RCPT or VRFY.</summary>
/// <param name="Status">The verdict.</param>
/// <param name="Address">The (possibly rewritten) address to store, for <see cref="VerifierStatus.Remote"/>.</param>
/// <param name="Mailbox">The mailbox name, for <see cref="VerifierStatus.Local"/>.</param>
/// <param name="FullName">The full name, used only by VRFY for a local mailbox.</param>
/// <param name="Response">Reply text for failures, e.g. <c>mailbox unavailable</c>.</param>
/// <param name="Reason">Detail for the log.</param>
public readonly record struct VerifierResult(VerifierStatus Status, string Address, string Mailbox, string FullName, string Response, string Reason)
{
    /// <summary>The default verifier's answer: every address is a valid remote address, unchanged.</summary>
    public static VerifierResult AcceptRemote(string address) => new(VerifierStatus.Remote, address, "", "", "", "");
}
