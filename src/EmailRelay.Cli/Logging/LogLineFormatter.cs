using System.Globalization;
using System.Net;
using System.Text;
using EmailRelay.Diagnostics;
using EmailRelay.Net;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Cli.Logging;

/// <summary>
/// Writes E-MailRelay's line format (reference §k "Line format"), the only place it lives:
/// <c>&lt;exe&gt;: [&lt;time&gt;: ]&lt;level&gt;: [&lt;unit&gt;][&lt;context&gt;]&lt;text&gt;</c>.
/// </summary>
internal sealed class LogLineFormatter
{
    /// <summary>Texts longer than this are cut and end with <c> ...</c>.</summary>
    public const int MaxTextLength = 1000;

    private readonly LogSettings _settings;

    /// <summary>Creates a formatter for the settings.</summary>
    public LogLineFormatter(LogSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
    }

    /// <summary>The full line (without a newline) for stderr and the log file.</summary>
    public string FormatLine(DateTimeOffset localTime, LogLevel level, string text, ConnectionLogScope? connection, MessageLogScope? message)
    {
        var sb = new StringBuilder(64 + text.Length);
        sb.Append(_settings.ProgramName).Append(": ");
        if (_settings.Time)
        {
            sb.Append(localTime.ToString("yyyyMMdd'.'HHmmss'.'fff", CultureInfo.InvariantCulture)).Append(": ");
        }

        AppendBody(sb, level, text, connection, message);
        return sb.ToString();
    }

    /// <summary>The line without program name and time, for syslog (which adds its own).</summary>
    public string FormatBody(LogLevel level, string text, ConnectionLogScope? connection, MessageLogScope? message)
    {
        var sb = new StringBuilder(32 + text.Length);
        AppendBody(sb, level, text, connection, message);
        return sb.ToString();
    }

    private void AppendBody(StringBuilder sb, LogLevel level, string text, ConnectionLogScope? connection, MessageLogScope? message)
    {
        sb.Append(_settings.LevelText(level)).Append(": ");
        if (_settings.Unit && connection is { Unit.Length: > 0 })
        {
            sb.Append('[').Append(connection.Unit).Append("] ");
        }

        if ((_settings.Address || _settings.Port) && connection?.Peer is IPEndPoint peer)
        {
            sb.Append(EndPointText.FormatAddress(peer.Address));
            if (_settings.Port)
            {
                sb.Append(';').Append(peer.Port.ToString(CultureInfo.InvariantCulture)).Append(": ");
            }
            else
            {
                sb.Append("; ");
            }
        }

        if (_settings.MessageId && message is not null)
        {
            var id = message.Id.Value;
            if (id.StartsWith("emailrelay.", StringComparison.Ordinal))
            {
                id = id["emailrelay.".Length..];
            }

            sb.Append('(').Append(id).Append(") ");
        }

        if (text.Length > MaxTextLength)
        {
            sb.Append(text.AsSpan(0, MaxTextLength)).Append(" ...");
        }
        else
        {
            sb.Append(text);
        }
    }
}
