namespace EmailRelay.Protocol.Mail;

/// <summary>
/// A spool message id, e.g. <c>emailrelay.22700.1795486939.1</c>: the file name of the
/// message's content and envelope files without their suffixes. Any name is accepted, because
/// the forwarder and POP pick up every <c>*.envelope</c> with a <c>*.content</c> sibling.
/// Ordering is byte-wise lexical (E-MailRelay compat: the spool is scanned in that order).
/// </summary>
/// <param name="Value">The id text.</param>
public readonly record struct MessageId(string Value) : IComparable<MessageId>
{
    /// <inheritdoc />
    public int CompareTo(MessageId other) => string.CompareOrdinal(Value, other.Value);

    /// <inheritdoc />
    public override string ToString() => Value;

    /// <summary>Lexical order.</summary>
    public static bool operator <(MessageId left, MessageId right) => left.CompareTo(right) < 0;

    /// <summary>Lexical order.</summary>
    public static bool operator <=(MessageId left, MessageId right) => left.CompareTo(right) <= 0;

    /// <summary>Lexical order.</summary>
    public static bool operator >(MessageId left, MessageId right) => left.CompareTo(right) > 0;

    /// <summary>Lexical order.</summary>
    public static bool operator >=(MessageId left, MessageId right) => left.CompareTo(right) >= 0;
}
