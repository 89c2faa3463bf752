using EmailRelay.Protocol.Mail;

namespace EmailRelay.Spool;

/// <summary>A spool operation failed (I/O error, disk full, unreadable envelope).</summary>
public sealed class SpoolException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SpoolException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public SpoolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public SpoolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for one message.</summary>
    public SpoolException(MessageId id, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        MessageId = id;
    }

    /// <summary>The message concerned, if any.</summary>
    public MessageId? MessageId { get; }

    /// <summary>True if the failure is the disk or quota being full (the SMTP reply is then 452).</summary>
    public bool IsDiskFull { get; init; }

    /// <summary>True if an envelope file was read but is not a valid envelope (it will not parse on a retry either).</summary>
    public bool IsInvalidEnvelope { get; init; }
}
