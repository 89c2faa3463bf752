namespace EmailRelay.Protocol.Routing;

/// <summary>A route's TLS requirement (<c>tls=</c>), recorded in the target's scheme (<see cref="Smtp.Client.ForwardTarget"/>).</summary>
internal enum RouteTls
{
    /// <summary>As the command line says (<c>--client-tls</c> and friends).</summary>
    Default,

    /// <summary><c>tls=starttls</c>: STARTTLS is required (<c>smtp+starttls://</c>).</summary>
    StartTls,

    /// <summary><c>tls=implicit</c>: the connection starts in TLS, SMTPS (<c>smtps://</c>).</summary>
    Implicit,
}
