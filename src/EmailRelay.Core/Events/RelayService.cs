namespace EmailRelay.Events;

/// <summary>The part of the relay an event comes from.</summary>
public enum RelayService
{
    /// <summary>The SMTP server.</summary>
    Smtp,

    /// <summary>The POP server.</summary>
    Pop,

    /// <summary>The admin interface.</summary>
    Admin,

    /// <summary>The forwarder (the SMTP client).</summary>
    Forwarder,
}
