namespace EmailRelay.Events;

/// <summary>What a <see cref="RelayEvent"/> reports; the fields each kind fills are listed on the member.</summary>
public enum RelayEventKind
{
    /// <summary>A server connection started: <see cref="RelayEvent.Service"/>, <see cref="RelayEvent.ConnectionId"/>, <see cref="RelayEvent.Remote"/>.</summary>
    SessionOpened,

    /// <summary>A server connection ended: as opened, and <see cref="RelayEvent.Text"/> the outcome (<c>peer disconnected</c>, <c>timeout</c>, ...).</summary>
    SessionClosed,

    /// <summary>The SMTP server committed a message: <see cref="RelayEvent.MessageId"/>, <see cref="RelayEvent.Size"/> (content bytes).</summary>
    MessageReceived,

    /// <summary>A forwarding run started: <see cref="RelayEvent.Text"/> the trigger (<c>poll</c>, <c>forward</c>, ...).</summary>
    ForwardingStarted,

    /// <summary>A forwarding run ended: <see cref="RelayEvent.Size"/> the messages delivered, <see cref="RelayEvent.Text"/> empty or the error that ended it.</summary>
    ForwardingEnded,

    /// <summary>An upstream connection is open: <see cref="RelayEvent.Text"/> the address (<c>127.0.0.1:25</c>).</summary>
    UpstreamConnecting,

    /// <summary>An upstream connection's server greeted: <see cref="RelayEvent.Text"/> the address.</summary>
    UpstreamConnected,

    /// <summary>An upstream connection closed: <see cref="RelayEvent.Text"/> the address.</summary>
    UpstreamClosed,

    /// <summary>A message is about to go upstream: <see cref="RelayEvent.MessageId"/>.</summary>
    Sending,

    /// <summary>A message reached every recipient and left the spool: <see cref="RelayEvent.MessageId"/>.</summary>
    Delivered,

    /// <summary>A message stays for a retry: <see cref="RelayEvent.MessageId"/>, <see cref="RelayEvent.Code"/> the reply code (0: none), <see cref="RelayEvent.Text"/> the reason.</summary>
    Deferred,

    /// <summary>A message failed: as <see cref="Deferred"/>.</summary>
    Failed,

    /// <summary>
    /// A filter ran: <see cref="RelayEvent.MessageId"/>, <see cref="RelayEvent.Service"/> (SMTP server: <c>--filter</c>,
    /// forwarder: <c>--client-filter</c>), <see cref="RelayEvent.Text"/> the result (<c>ok</c>, <c>abandon</c>, <c>fail</c>),
    /// <see cref="RelayEvent.Elapsed"/> how long it took.
    /// </summary>
    FilterRun,

    /// <summary>A client authenticated: <see cref="RelayEvent.Service"/>, <see cref="RelayEvent.ConnectionId"/>, <see cref="RelayEvent.Text"/> the mechanism.</summary>
    AuthSucceeded,

    /// <summary>An authentication failed: as <see cref="AuthSucceeded"/>.</summary>
    AuthFailed,

    /// <summary>TLS is up on a connection: <see cref="RelayEvent.Service"/>, <see cref="RelayEvent.ConnectionId"/>, <see cref="RelayEvent.Text"/> the protocol version (<c>TLSv1.3</c>).</summary>
    TlsEstablished,
}
