namespace EmailRelay.Protocol.Pop3;

/// <summary>The fixed POP3 reply texts (reference §f; E-MailRelay compat where the reference quotes them).</summary>
internal static class Pop3Replies
{
    /// <summary>The greeting, before the optional APOP challenge.</summary>
    public const string Greeting = "+OK POP3 server ready";

    /// <summary>CAPA's first line.</summary>
    public const string CapabilityList = "+OK capability list follows";

    /// <summary>QUIT.</summary>
    public const string SigningOff = "+OK signing off";

    /// <summary>A bare positive reply.</summary>
    public const string Ok = "+OK";

    /// <summary>A bare negative reply.</summary>
    public const string Error = "-ERR";

    /// <summary>A bad or deleted message number.</summary>
    public const string InvalidId = "-ERR invalid id";

    /// <summary>A login succeeded.</summary>
    public const string Authenticated = "+OK authenticated";

    /// <summary>A login failed.</summary>
    public const string AuthenticationFailed = "-ERR authentication failed";

    /// <summary>Authentication before STLS with <c>--server-tls-required</c> (reference §e).</summary>
    public const string MustUseStls = "-ERR must use STLS before authentication";

    /// <summary>USER when PLAIN is not available.</summary>
    public const string NoPlain = "-ERR no SASL PLAIN mechanism to do USER/PASS authentication";

    /// <summary>AUTH with a mechanism that is not advertised.</summary>
    public const string UnsupportedMechanism = "-ERR unsupported SASL mechanism";

    /// <summary>A <c>*</c> SASL response.</summary>
    public const string AuthenticationCancelled = "-ERR authentication cancelled";

    /// <summary>A SASL response that is not base64.</summary>
    public const string InvalidBase64 = "-ERR invalid base64 encoding";

    /// <summary>Too many failed logins.</summary>
    public const string TooManyFailures = "-ERR too many authentication failures";

    /// <summary>The maildrop could not be opened after a login.</summary>
    public const string CannotOpenMailbox = "-ERR cannot open the mailbox";

    /// <summary>QUIT could not remove every marked message (RFC 1939 §6).</summary>
    public const string SomeNotRemoved = "-ERR some deleted messages not removed";

    /// <summary>The idle timeout.</summary>
    public const string Timeout = "-ERR timeout";

    /// <summary>An overlong command line.</summary>
    public const string LineTooLong = "-ERR line too long";
}
