using EmailRelay.Protocol.Mail;
using EmailRelay.Spool;

namespace EmailRelay.Filters;

/// <summary>The message a filter runs on.</summary>
/// <param name="Message">The message, through the verbs filters may use.</param>
/// <param name="IsServerSide">True for <c>--filter</c>, false for <c>--client-filter</c> (the exit-code table differs).</param>
public sealed record FilterContext(IFilterMessage Message, bool IsServerSide)
{
    /// <summary>The message id.</summary>
    public MessageId Id => Message.Id;

    /// <summary>
    /// How the log names the step: <c>filter</c> (server side), <c>client-filter</c>, or <c>routing-filter</c> (the
    /// client filter run on a message with a ForwardTo, reference §c "Routing pass").
    /// </summary>
    public string Kind { get; init; } = IsServerSide ? "filter" : "client-filter";
}
