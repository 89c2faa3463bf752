namespace EmailRelay.Protocol.Filters;

/// <summary>The kind of one filter spec (reference §c, "Filter spec grammar").</summary>
public enum FilterKind
{
    /// <summary><c>exit:N</c>: behaves like a program that exited with N.</summary>
    Exit,

    /// <summary><c>sleepms:N</c>: waits N milliseconds, then ok.</summary>
    SleepMs,

    /// <summary><c>net:host:port</c> or <c>net:/unix/path</c>: the network filter protocol.</summary>
    Net,

    /// <summary><c>spam:addr</c>: spamd check, read only.</summary>
    Spam,

    /// <summary><c>spam-edit:addr</c>: spamd rewrite, always passes.</summary>
    SpamEdit,

    /// <summary><c>copy:[opts]</c>: copies into spool subdirectories.</summary>
    Copy,

    /// <summary><c>deliver:[opts]</c>: local delivery to <c>To-Local</c> mailboxes.</summary>
    Deliver,

    /// <summary><c>split:[opts]</c>: one message per recipient domain.</summary>
    Split,

    /// <summary><c>mx:[opts]</c>: MX lookup of ForwardTo into ForwardToAddress.</summary>
    Mx,

    /// <summary><c>msgid:</c>: adds a Message-ID header if missing.</summary>
    MsgId,

    /// <summary><c>dkim:d=..;s=..;key=..[;..]</c>: adds a DKIM signature.</summary>
    Dkim,

    /// <summary><c>route:&lt;file&gt;</c>: routing rules from a table file (<see cref="FilterSpec.Value"/> is the path).</summary>
    Route,

    /// <summary><c>file:path</c> or a bare path: an external program.</summary>
    File,
}
