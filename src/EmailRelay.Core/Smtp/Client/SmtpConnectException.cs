namespace EmailRelay.Smtp.Client;

/// <summary>
/// The forwarding client could not connect (refused, unresolvable, connect timeout): the message is left
/// in the spool and the run is aborted (reference §i). The message is <c>cannot connect to host:port</c>.
/// </summary>
internal sealed class SmtpConnectException : IOException
{
    /// <summary>Creates the exception.</summary>
    public SmtpConnectException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The text.</param>
    public SmtpConnectException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The text.</param>
    /// <param name="innerException">The cause.</param>
    public SmtpConnectException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
