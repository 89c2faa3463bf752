using EmailRelay.Protocol.Mail;

namespace EmailRelay.Protocol.Storage;

/// <summary>The outcome of reading an envelope file: an envelope or an error message.</summary>
/// <param name="Envelope">The envelope, or null if the file is malformed.</param>
/// <param name="Error">Why the file is malformed (e.g. <c>expected X-MailRelay-Client:</c>), or null.</param>
public readonly record struct EnvelopeReadResult(Envelope? Envelope, string? Error)
{
    /// <summary>True if an envelope was read.</summary>
    public bool IsSuccess => Envelope is not null;
}
