namespace EmailRelay.Net;

/// <summary>
/// Every size and time limit of the relay, with its default and where the default comes from
/// (in the style of Kestrel's <c>KestrelServerLimits</c>). <see cref="Timeout.InfiniteTimeSpan"/>
/// and 0 mean unlimited where a member says so. Immutable; built once by the CLI.
/// </summary>
public sealed record RelayLimits
{
    /// <summary>The defaults.</summary>
    public static RelayLimits Default { get; } = new();

    /// <summary>
    /// Longest SMTP command line, CRLF included: 4096 octets (differences 9; RFC 5321 §4.5.3.1.4
    /// requires at least 512). A longer line is drained to its terminator and answered with
    /// <c>500 line too long</c>, which counts as a client error.
    /// </summary>
    public int MaxCommandLineLength { get; init; } = 4096;

    /// <summary>
    /// <c>--idle-timeout</c>: 300 s (differences 10; RFC 5321 §4.5.3.2.7; E-MailRelay's code has 1800 s).
    /// A connection that makes no progress for this long gets 421 and is closed. The timer is re-armed
    /// only by progress (a complete command line, or <see cref="MinimumDataProgress"/> octets of
    /// content), so a line trickled one byte at a time must still be complete within this time of the
    /// previous one (differences 15).
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>
    /// Octets of DATA or BDAT content that count as progress and re-arm <see cref="IdleTimeout"/>:
    /// 512 (ours; differences 15). A sender slower than this per idle period is dropped.
    /// </summary>
    public int MinimumDataProgress { get; init; } = 512;

    /// <summary><c>--size</c>: largest stored message, Received line included; 0 = unlimited (the default, as E-MailRelay).</summary>
    public long MaxMessageSize { get; init; }

    /// <summary>Protocol errors before an SMTP client is dropped: 8, E-MailRelay <c>client_error_limit</c>.</summary>
    public int ClientErrorLimit { get; init; } = 8;

    /// <summary>
    /// Read size per socket read: 32 KiB (ours). An idle connection holds no read buffer whatever this is (zero-byte
    /// reads), so it only sizes the reads of a message body: 4 KiB made a 1 MiB body 256 reads plus 256 zero-byte
    /// reads; 32 KiB cut the relay's CPU per proxied 1 MiB message by 10-20 % (bench/RESULTS.md, 2026-12-07).
    /// </summary>
    public int ReadBufferSize { get; init; } = 32 * 1024;

    /// <summary>Time allowed to write the final 421 to a peer that is not reading: 5 s (ours).</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Time a server-side TLS handshake (STARTTLS, STLS, SMTPS) may take: 10 s, or <c>--connection-timeout</c> when
    /// that is shorter (ours; issue 24: a peer that sent a record header and then nothing held the connection until
    /// the idle timeout).
    /// </summary>
    public TimeSpan TlsHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Octets a peer may send before the server-side TLS handshake completes: 64 KiB (ours; a client's handshake
    /// flights are a few KiB even with a certificate chain).
    /// </summary>
    public int MaxTlsHandshakeBytes { get; init; } = 64 * 1024;

    /// <summary>
    /// Largest TLS record length a peer may declare during the handshake: 18,432 octets, 2^14 + 2048 (RFC 5246 §6.2.3;
    /// OpenSSL rejects a longer header at once with "packet length too long").
    /// </summary>
    public int MaxTlsRecordLength { get; init; } = 16384 + 2048;

    /// <summary>
    /// How long a connection closed by a drain keeps reading (and discarding) the peer's input after its last reply
    /// and FIN, once the peer has gone quiet: 250 ms (ours; issue 22). Closing a socket with unread input sends a
    /// reset, which can destroy the reply before the peer reads it; a peer that keeps the connection open but sends
    /// nothing holds the drain this long only.
    /// </summary>
    public TimeSpan LingerQuietTime { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Time allowed for the TLS close_notify exchange when a connection ends: 2 s (ours).</summary>
    public TimeSpan TlsCloseTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest admin command line, terminator not counted: 10,000 octets (ours); a longer one closes the connection.</summary>
    public int AdminMaxLineLength { get; init; } = 10_000;

    /// <summary>Failed AUTH (SMTP) or USER/PASS, APOP and AUTH (POP) attempts before the connection is closed: 3 (E-MailRelay).</summary>
    public int AuthFailureLimit { get; init; } = 3;
}
