namespace EmailRelay.Auth.OAuth;

/// <summary>
/// No access token could be had: the endpoint is unreachable, answered an error (<c>invalid_grant</c>, ...), or the
/// command failed. The message is the message's Reason (it never holds a secret); the message is deferred.
/// </summary>
internal sealed class OAuthTokenException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OAuthTokenException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The reason.</param>
    public OAuthTokenException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The reason.</param>
    /// <param name="innerException">The cause.</param>
    public OAuthTokenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
