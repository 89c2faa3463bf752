namespace EmailRelay.Protocol.Storage;

/// <summary>What a spool directory entry is, judged by its exact name suffix (reference §b).</summary>
internal enum SpoolFileKind
{
    /// <summary>Not a spool file (or a suffix we do not use).</summary>
    None,

    /// <summary><c>&lt;id&gt;.content</c>.</summary>
    Content,

    /// <summary><c>&lt;id&gt;.envelope</c>: committed, ready.</summary>
    Envelope,

    /// <summary><c>&lt;id&gt;.envelope.new</c>: written at end of data, not yet committed.</summary>
    EnvelopeNew,

    /// <summary><c>&lt;id&gt;.envelope.busy</c>: locked.</summary>
    EnvelopeBusy,

    /// <summary><c>&lt;id&gt;.envelope.bad</c>: failed.</summary>
    EnvelopeBad,

    /// <summary><c>&lt;id&gt;.envelope.busy.tmp</c>: transient edit of a locked envelope.</summary>
    EnvelopeBusyTmp,

    /// <summary><c>&lt;id&gt;.envelope.new.tmp</c>: transient edit of a new envelope.</summary>
    EnvelopeNewTmp,

    /// <summary><c>&lt;id&gt;.content.tmp</c>: transient content rewrite.</summary>
    ContentTmp,

    /// <summary><c>&lt;id&gt;.lock</c>: our owner-lock sidecar (not an E-MailRelay name; see <c>FileSpool</c>).</summary>
    Lock,
}
