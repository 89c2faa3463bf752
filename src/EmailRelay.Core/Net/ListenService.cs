namespace EmailRelay.Net;

/// <summary>The services a relay listens for; the names are E-MailRelay's log and <c>--interface</c> qualifier words.</summary>
public enum ListenService
{
    /// <summary>The SMTP server (<c>--port</c>, default 25).</summary>
    Smtp,

    /// <summary>The POP3 server (<c>--pop-port</c>, default 110).</summary>
    Pop,

    /// <summary>The admin interface (<c>--admin</c>).</summary>
    Admin,
}
