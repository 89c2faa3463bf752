namespace EmailRelay.Protocol.Filters;

/// <summary>
/// How a filter result shows to the peer and in the failed envelope (reference §c, "What happens next").
/// Server side: ok and abandon give <c>250 message processed</c>; fail gives <c>&lt;code&gt; &lt;response&gt;</c>
/// where code is the filter's 4xx/5xx or else 452. Client side: a fail goes to <c>.bad</c> with the
/// filter's reason and ReasonCode 550.
/// </summary>
internal static class FilterReply
{
    /// <summary>The server's reply code for a failed filter that gave no 4xx/5xx code (E-MailRelay compat).</summary>
    public const int DefaultFailureCode = 452;

    /// <summary>The ReasonCode written to a <c>.bad</c> envelope when a client filter fails.</summary>
    public const int ClientFailureReasonCode = 550;

    /// <summary>The reply text after a message was accepted (or abandoned by its filter).</summary>
    public const string MessageProcessed = "message processed";

    /// <summary>The end-of-data reply code and text for a server filter's result.</summary>
    public static (int Code, string Text) ForServer(FilterResult result)
    {
        if (result.Outcome != FilterOutcome.Fail)
        {
            return (250, MessageProcessed);
        }

        var code = result.ResponseCode is >= 400 and <= 599 ? result.ResponseCode : DefaultFailureCode;
        return (code, result.Response);
    }
}
