using System.Security.Authentication;

namespace EmailRelay.Tls;

/// <summary>The server's certificate did not verify (<c>--client-tls-verify</c>, <c>--client-tls-verify-name</c>).</summary>
internal sealed class TlsVerificationException : AuthenticationException
{
    /// <summary>Creates the exception.</summary>
    public TlsVerificationException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The text.</param>
    public TlsVerificationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception for a certificate with <paramref name="subject"/>.</summary>
    /// <param name="subject">The certificate subject.</param>
    /// <param name="innerException">The handshake failure.</param>
    public TlsVerificationException(string subject, Exception innerException)
        : base("certificate verification failed: " + subject, innerException)
    {
        Subject = subject;
    }

    /// <summary>The certificate subject, if known.</summary>
    public string Subject { get; } = "";
}
