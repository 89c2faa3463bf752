namespace EmailRelay.Spool;

/// <summary>Which messages <see cref="IMessageSpool.ListAsync"/> lists.</summary>
public enum SpoolView
{
    /// <summary>Committed and waiting (<c>.envelope</c>).</summary>
    Ready,

    /// <summary>Failed (<c>.envelope.bad</c>).</summary>
    Failed,

    /// <summary>Locked by a forwarder or POP session (<c>.envelope.busy</c>).</summary>
    Locked,
}
