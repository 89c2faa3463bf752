using System.Net;
using EmailRelay.Protocol.Mail;

namespace EmailRelay.Events;

/// <summary>
/// One event of the <see cref="RelayEvents"/> stream. A value type built only when someone listens, carrying
/// references the producer already holds (no text is formatted for it); <see cref="RelayEventKind"/> says which
/// fields are set, the others keep their defaults.
/// </summary>
public readonly record struct RelayEvent(RelayEventKind Kind, RelayService Service)
{
    /// <summary>The listener's connection number (server events), else 0.</summary>
    public long ConnectionId { get; init; }

    /// <summary>The peer of a server connection, when known.</summary>
    public EndPoint? Remote { get; init; }

    /// <summary>The local address of a server connection (<see cref="RelayEventKind.SessionOpened"/>), when known.</summary>
    public EndPoint? Local { get; init; }

    /// <summary>The message, for message events; default otherwise.</summary>
    public MessageId MessageId { get; init; }

    /// <summary>A size or count (see the kind).</summary>
    public long Size { get; init; }

    /// <summary>An SMTP reply code, 0 for none.</summary>
    public int Code { get; init; }

    /// <summary>The kind's text (reason, address, mechanism, protocol version, result); never null.</summary>
    public string Text { get; init; } = "";

    /// <summary>How long the step took (filter runs).</summary>
    public TimeSpan Elapsed { get; init; }
}
