namespace EmailRelay.Protocol.Mail;

/// <summary>
/// The MAIL <c>BODY=</c> parameter as recorded in the envelope's <c>X-MailRelay-Content</c>
/// field (<c>7bit</c>, <c>8bit</c>, <c>binarymime</c>, <c>unknown</c>).
/// </summary>
public enum BodyType
{
    /// <summary>No or an unrecognised <c>BODY=</c> parameter: <c>unknown</c>.</summary>
    Unknown,

    /// <summary><c>BODY=7BIT</c>: <c>7bit</c>.</summary>
    SevenBit,

    /// <summary><c>BODY=8BITMIME</c>: <c>8bit</c>.</summary>
    EightBitMime,

    /// <summary><c>BODY=BINARYMIME</c>: <c>binarymime</c>.</summary>
    BinaryMime,
}
