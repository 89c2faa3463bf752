using EmailRelay.Protocol.Mail;

namespace EmailRelay.Filters;

/// <summary>The message a filter runs on.</summary>
/// <param name="Id">The message id.</param>
/// <param name="ContentPath">Absolute content path, or null for a non-file spool.</param>
/// <param name="EnvelopePath">Absolute envelope path (<c>.envelope.new</c> server side, <c>.envelope.busy</c> client side), or null.</param>
/// <param name="IsServerSide">True for <c>--filter</c>, false for <c>--client-filter</c> (the exit-code table differs).</param>
public sealed record FilterContext(MessageId Id, string? ContentPath, string? EnvelopePath, bool IsServerSide)
{
    /// <summary>
    /// How the log names the step: <c>filter</c> (server side), <c>client-filter</c>, or <c>routing-filter</c> (the
    /// client filter run on a message with a ForwardTo, reference §c "Routing pass").
    /// </summary>
    public string Kind { get; init; } = IsServerSide ? "filter" : "client-filter";

    /// <summary>
    /// The server-side new message being filtered, when it is in a file spool: <c>split:</c> hands it its copies,
    /// which become ready only when this message is committed and are removed otherwise. Null elsewhere.
    /// </summary>
    internal Spool.FileNewMessage? NewMessage { get; init; }
}
