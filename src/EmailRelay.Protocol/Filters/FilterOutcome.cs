namespace EmailRelay.Protocol.Filters;

/// <summary>The tri-state result of a filter (E-MailRelay's <c>Filter::Result</c>).</summary>
public enum FilterOutcome
{
    /// <summary>Continue: commit (server side) or send (client side).</summary>
    Ok,

    /// <summary>Stop treating the message and report success; the filter owns the files.</summary>
    Abandon,

    /// <summary>Reject the message.</summary>
    Fail,
}
