using System.Globalization;

namespace EmailRelay.Protocol.Admin;

/// <summary>
/// Parses one admin line (without its line ending). Never throws. Commands are case-insensitive and
/// separated from their arguments by spaces or tabs (reference §h).
/// </summary>
public static class AdminCommandParser
{
    private static readonly char[] s_separators = [' ', '\t'];

    /// <summary>Parses <paramref name="line"/>; <c>terminate</c> is a command only when <paramref name="allowTerminate"/>.</summary>
    public static AdminCommand Parse(string line, bool allowTerminate)
    {
        ArgumentNullException.ThrowIfNull(line);
        var words = line.Split(s_separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 0)
        {
            return new AdminCommand(AdminCommandKind.Empty);
        }

        var verb = words[0].ToLowerInvariant();
        var argument = words.Length > 1 ? words[1].ToLowerInvariant() : "";
        return verb switch
        {
            "help" => new AdminCommand(AdminCommandKind.Help),
            "forward" => new AdminCommand(AdminCommandKind.Forward),
            "flush" => new AdminCommand(AdminCommandKind.Flush),
            "list" => new AdminCommand(AdminCommandKind.List),
            "failures" => new AdminCommand(AdminCommandKind.Failures),
            "unfail-all" => new AdminCommand(AdminCommandKind.UnfailAll),
            "pid" => new AdminCommand(AdminCommandKind.Pid),
            "status" => new AdminCommand(AdminCommandKind.Status),
            "info" => new AdminCommand(AdminCommandKind.Info, argument),
            "notify" => new AdminCommand(AdminCommandKind.Notify),
            "smtp" => Smtp(words, argument),
            "dnsbl" => Dnsbl(words, argument),
            "terminate" when allowTerminate => new AdminCommand(AdminCommandKind.Terminate),
            "quit" => new AdminCommand(AdminCommandKind.Quit),
            _ => new AdminCommand(AdminCommandKind.Unrecognised),
        };
    }

    private static AdminCommand Smtp(string[] words, string argument) => (words.Length, argument) switch
    {
        (2, "disable") => new AdminCommand(AdminCommandKind.SmtpDisable),
        (2, "enable") => new AdminCommand(AdminCommandKind.SmtpEnable),
        _ => new AdminCommand(AdminCommandKind.SmtpUsage),
    };

    private static AdminCommand Dnsbl(string[] words, string argument)
    {
        if (words.Length == 2 && argument == "start")
        {
            return new AdminCommand(AdminCommandKind.DnsblStart);
        }

        if (argument != "stop" || words.Length > 3)
        {
            return new AdminCommand(AdminCommandKind.DnsblUsage);
        }

        if (words.Length == 2)
        {
            return new AdminCommand(AdminCommandKind.DnsblStop);
        }

        return int.TryParse(words[2], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? new AdminCommand(AdminCommandKind.DnsblStop, Seconds: seconds)
            : new AdminCommand(AdminCommandKind.DnsblUsage);
    }
}
