namespace EmailRelay.Protocol.Admin;

/// <summary>
/// The admin line protocol (reference §h) as a pure state machine. Calling sequence: for each received line,
/// <see cref="Handle"/>; send <see cref="AdminStep.Output"/>; when <see cref="AdminStep.NeedsRelay"/>, act on the
/// relay and send <see cref="Reply"/> with the result lines (or nothing, for <c>terminate</c>). After
/// <c>notify</c> (<see cref="IsNotifying"/>), relay events are sent as <see cref="FormatEvent"/> text at any time.
/// </summary>
/// <remarks>
/// The line ending is taken from the client's first line (CRLF or LF) and used for every reply. No prompt is sent
/// on connect; every reply ends with <see cref="Prompt"/>. Multi-line replies use that one line ending
/// (differences.md 19: E-MailRelay sends <c>\r\r\n</c> there).
/// </remarks>
public sealed class AdminSession
{
    /// <summary>The prompt after every reply, with its trailing space.</summary>
    public const string Prompt = "E-MailRelay> ";

    /// <summary>Unrecognised lines allowed before the connection is closed (our choice: the reference gives no number).</summary>
    public const int DefaultErrorLimit = 10;

    /// <summary>The <c>info version</c> reply.</summary>
    public const string Version = "2.6.1";

    private readonly bool _allowTerminate;
    private readonly int _errorLimit;
    private int _errors;
    private bool _hasLine;

    /// <summary>Creates a session for one connection.</summary>
    /// <param name="allowTerminate">True with <c>--admin-terminate</c>.</param>
    /// <param name="errorLimit">How many unrecognised lines close the connection.</param>
    public AdminSession(bool allowTerminate, int errorLimit = DefaultErrorLimit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(errorLimit);
        _allowTerminate = allowTerminate;
        _errorLimit = errorLimit;
    }

    /// <summary>The reply line ending: <c>\r\n</c> once the client sent a CRLF first line, else <c>\n</c>.</summary>
    public string LineEnding { get; private set; } = "\n";

    /// <summary>True after <c>notify</c>.</summary>
    public bool IsNotifying { get; private set; }

    /// <summary>True once the session has asked to close.</summary>
    public bool IsClosed { get; private set; }

    /// <summary>Handles one line, given without its LF; a trailing CR is part of <paramref name="line"/> and is removed here.</summary>
    public AdminStep Handle(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (IsClosed)
        {
            throw new InvalidOperationException("the admin session is closed");
        }

        var crlf = line.EndsWith('\r');
        if (!_hasLine)
        {
            _hasLine = true;
            LineEnding = crlf ? "\r\n" : "\n";
        }

        var text = crlf ? line[..^1] : line;
        var command = AdminCommandParser.Parse(text, _allowTerminate);
        switch (command.Kind)
        {
            case AdminCommandKind.Empty:
                return new AdminStep(command, Prompt, false, false);
            case AdminCommandKind.Unrecognised:
                _errors++;
                IsClosed = _errors >= _errorLimit;
                return new AdminStep(command, Reply("error: unrecognised command"), false, IsClosed);
            case AdminCommandKind.Help:
                return new AdminStep(command, Reply(HelpText()), false, false);
            case AdminCommandKind.Info:
                return new AdminStep(command, Reply(Info(command.Argument)), false, false);
            case AdminCommandKind.SmtpUsage:
                return new AdminStep(command, Reply("usage: smtp {disable|enable}"), false, false);
            case AdminCommandKind.DnsblUsage:
                return new AdminStep(command, Reply("usage: dnsbl {start|stop <timeout>}"), false, false);
            case AdminCommandKind.Quit:
                IsClosed = true;
                return new AdminStep(command, "", false, true);
            case AdminCommandKind.Notify:
                // "No reply": only the prompt, as for an empty line.
                IsNotifying = true;
                return new AdminStep(command, Prompt, false, false);
            default:
                return new AdminStep(command, "", true, false);
        }
    }

    /// <summary>A reply of one or more lines, each ended by <see cref="LineEnding"/>, then the prompt. No lines gives an empty line.</summary>
    public string Reply(params IReadOnlyList<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        return lines.Count == 0 ? LineEnding + Prompt : string.Join(LineEnding, lines) + LineEnding + Prompt;
    }

    /// <summary>
    /// An asynchronous event, E-MailRelay's form: a line ending, <c>EVENT: </c>, the parts joined by <c>": "</c>,
    /// and two trailing spaces (no prompt).
    /// </summary>
    public string FormatEvent(IReadOnlyList<string> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        return LineEnding + "EVENT: " + string.Join(": ", parts) + "  ";
    }

    private string HelpText() => _allowTerminate
        ? "commands: dnsbl, failures, flush, forward, help, info, list, notify, pid, quit, smtp, status, terminate, unfail-all"
        : "commands: dnsbl, failures, flush, forward, help, info, list, notify, pid, quit, smtp, status, unfail-all";

    private static string Info(string argument) => argument switch
    {
        "version" => Version,
        "copyright" => "EmailRelay for .NET: an independent implementation compatible with E-MailRelay " + Version,
        "credit" => "E-MailRelay (the original, by Graeme Walker) defines the interface this program follows",
        "warranty" => "This program comes with ABSOLUTELY NO WARRANTY",
        _ => "usage: info {copyright|credit|version|warranty}",
    };
}
