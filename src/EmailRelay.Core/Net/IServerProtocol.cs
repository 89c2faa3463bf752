using System.Buffers;

namespace EmailRelay.Net;

/// <summary>
/// The protocol half of a server connection (SMTP, POP, admin), run by <see cref="ServerConnection"/>, which owns the
/// lifetime, the read loop, the idle timer, the final reply and the STARTTLS/STLS check (Kestrel's split of
/// <c>HttpConnection</c> and <c>IRequestProcessor</c>). Every member is called from the connection's loop only, one
/// at a time; <see cref="IsReceivingContent"/> may also be read from a drain request on another thread.
/// </summary>
internal interface IServerProtocol
{
    /// <summary>
    /// True while a message's content is arriving (SMTP DATA or BDAT): a drain lets it finish (issue 22) instead of
    /// ending the connection at once.
    /// </summary>
    bool IsReceivingContent { get; }

    /// <summary>Everything before the first read: an implicit TLS handshake, the greeting. Returns true to close.</summary>
    ValueTask<bool> StartAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Handles everything complete in <paramref name="buffer"/> and writes the replies (the connection flushes them
    /// once the call returns, so pipelined replies go out together). Returns where it stopped and what comes next.
    /// </summary>
    ValueTask<ProtocolProgress> ProcessAsync(ReadOnlySequence<byte> buffer, CancellationToken cancellationToken);

    /// <summary>After a STARTTLS/STLS handshake the connection did. Returns true to close.</summary>
    ValueTask<bool> TlsEstablishedAsync(CancellationToken cancellationToken);

    /// <summary>Logs input found buffered after STARTTLS/STLS (differences 8); returns the close reason.</summary>
    string TlsInjected();

    /// <summary>Writes (does not flush) the last reply of a connection ended by us: <c>421</c> or <c>-ERR</c>.</summary>
    void WriteFinal(ConnectionEnd end);

    /// <summary>Logs an unexpected failure; returns the close reason and whether a final reply is still owed.</summary>
    (string Reason, bool SendFinal) Failed(Exception exception);

    /// <summary>
    /// Before the transport closes, whatever ended the connection: output written outside the loop (the admin
    /// interface's notify queue) is finished, within <paramref name="cancellationToken"/> (the close limit).
    /// </summary>
    ValueTask EndingAsync(CancellationToken cancellationToken);

    /// <summary>After the transport is closed: releases what the session holds (a partial message, a maildrop) and logs the close.</summary>
    ValueTask ClosedAsync(string reason);
}

/// <summary>What <see cref="IServerProtocol.ProcessAsync"/> did.</summary>
/// <param name="Consumed">The end of the input handled; the rest stays buffered.</param>
/// <param name="Next">What the connection does next.</param>
internal readonly record struct ProtocolProgress(SequencePosition Consumed, ProtocolNext Next);

/// <summary>What a server connection does after a protocol step.</summary>
internal enum ProtocolNext
{
    /// <summary>Read more input.</summary>
    Read,

    /// <summary>Close (the protocol has sent its last reply).</summary>
    Close,

    /// <summary>Upgrade to TLS (STARTTLS, STLS), provided nothing more is buffered.</summary>
    StartTls,
}

/// <summary>Why a server connection was ended by us.</summary>
internal enum ConnectionEnd
{
    /// <summary>The idle timer expired.</summary>
    Timeout,

    /// <summary>The relay is shutting down (or draining, issue 22).</summary>
    Shutdown,

    /// <summary>An unexpected failure on our side.</summary>
    Failure,
}
