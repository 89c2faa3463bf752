using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Cli.Logging;

/// <summary>
/// Sends lines to the system logger through the <c>/dev/log</c> unix datagram socket in RFC 3164 form:
/// <c>&lt;PRI&gt;Mmm dd hh:mm:ss emailrelay[pid]: body</c>. A missing or dead socket is tolerated silently.
/// Not thread-safe: the provider serialises.
/// </summary>
internal sealed class SyslogWriter : ISystemLog
{
    private static readonly string[] s_months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    private readonly string _path;
    private readonly int _facility;
    private readonly string _tag;
    private static readonly TimeSpan s_retryInterval = TimeSpan.FromSeconds(10);
    private Socket? _socket;
    private DateTimeOffset _nextConnect = DateTimeOffset.MinValue;

    /// <summary>Creates the writer; the socket is connected on first use.</summary>
    public SyslogWriter(int facility, string programName, int pid, string path = "/dev/log")
    {
        _facility = facility;
        _path = path;
        _tag = programName + "[" + pid.ToString(CultureInfo.InvariantCulture) + "]";
    }

    /// <summary>The RFC 3164 packet text for a line.</summary>
    public string Format(DateTimeOffset localTime, LogLevel level, string body)
    {
        var severity = level switch
        {
            LogLevel.Critical => 2,
            LogLevel.Error => 3,
            LogLevel.Warning => 4,
            LogLevel.Information or LogLevel.Debug => 6,
            _ => 7,
        };
        var pri = (_facility * 8) + severity;
        var stamp = s_months[localTime.Month - 1] + " " + localTime.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2)
            + " " + localTime.ToString("HH':'mm':'ss", CultureInfo.InvariantCulture);
        return "<" + pri.ToString(CultureInfo.InvariantCulture) + ">" + stamp + " " + _tag + ": " + body;
    }

    /// <summary>
    /// Sends one line; failures are ignored (one reconnect is tried, for a restarted syslog daemon). After a failed
    /// connect (no syslog socket) lines are dropped without looking for the socket again for ten seconds of log
    /// time, so a missing <c>/dev/log</c> costs no system call per line.
    /// </summary>
    public void Write(DateTimeOffset localTime, LogLevel level, string body)
    {
        if (IsDropping(localTime))
        {
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(Format(localTime, level, body));
        for (var attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                if (_socket is null)
                {
                    if (IsDropping(localTime))
                    {
                        return;
                    }

                    if (!File.Exists(_path))
                    {
                        _nextConnect = localTime + s_retryInterval;
                        return;
                    }

                    _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
                    _socket.Connect(new UnixDomainSocketEndPoint(_path));
                }

                _socket.Send(bytes);
                return;
            }
            catch (SocketException)
            {
                _socket?.Dispose();
                _socket = null;
                if (attempt == 1)
                {
                    _nextConnect = localTime + s_retryInterval;
                }
            }
        }
    }

    /// <summary>
    /// True while lines are being dropped (no syslog socket, and the next look for it is not due yet), so the
    /// caller can skip formatting them.
    /// </summary>
    public bool IsDropping(DateTimeOffset localTime) =>
        _socket is null && localTime < _nextConnect && localTime > _nextConnect - s_retryInterval;

    /// <inheritdoc />
    public void Dispose() => _socket?.Dispose();
}
