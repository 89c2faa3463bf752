namespace EmailRelay.Net;

/// <summary>A listening socket could not be created or bound; the process exits with code 2 (E-MailRelay compat).</summary>
public sealed class ListenerBindException : Exception
{
    /// <summary>Creates the exception with the full message to print.</summary>
    public ListenerBindException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with the full message to print.</summary>
    public ListenerBindException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public ListenerBindException()
        : base("cannot bind the listening port")
    {
    }
}
