namespace EmailRelay.Cli.Daemon;

/// <summary>
/// The name the program was invoked under (argv[0]'s base name), for multi-call dispatch: <c>emailrelay-submit</c>,
/// <c>emailrelay-passwd</c>, <c>emailrelay-filter-copy</c>, <c>emailrelay-dkim-keygen</c> and (Windows) <c>emailrelay-service</c> are the same executable under another name.
/// <see cref="Environment.ProcessPath"/> resolves symlinks, so argv[0] is read from <c>/proc/self/cmdline</c>.
/// </summary>
internal static class ProgramName
{
    // The tools, longest suffix first so "resubmit" is not taken for "submit".
    private static readonly string[] s_tools = ["emailrelay-filter-copy", "emailrelay-dkim-keygen", "emailrelay-resubmit", "emailrelay-service", "emailrelay-submit", "emailrelay-passwd"];

    /// <summary>
    /// The tool a program name selects, or <c>emailrelay</c> (the server). E-MailRelay's tools are separate programs, so a
    /// copy under another name still runs as the tool it is (its own test suite runs <c>e.N.N.submit</c>); ours are one
    /// program, so the rule is: the name without <c>.exe</c>, compared case-insensitively, is the tool's name or the part after <c>emailrelay-</c>, or ends
    /// with the part after <c>emailrelay-</c> (<c>submit</c>, <c>resubmit</c>, <c>passwd</c>, <c>filter-copy</c>, <c>dkim-keygen</c>, <c>service</c>)
    /// following a <c>-</c>, <c>.</c> or <c>_</c>. Anything else is the server.
    /// </summary>
    public static string ToolFor(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var bare = name.EndsWith(".exe", StringComparison.OrdinalIgnoreCase) ? name[..^4] : name;
        foreach (var tool in s_tools)
        {
            var suffix = tool["emailrelay-".Length..];
            if (string.Equals(bare, tool, StringComparison.OrdinalIgnoreCase) || string.Equals(bare, suffix, StringComparison.OrdinalIgnoreCase)
                || (bare.Length > suffix.Length && bare.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && bare[^(suffix.Length + 1)] is '-' or '.' or '_'))
            {
                return tool;
            }
        }

        return "emailrelay";
    }

    /// <summary>The invoked base name, e.g. <c>emailrelay</c> or <c>emailrelay-submit</c>.</summary>
    public static string Current()
    {
        try
        {
            if (OperatingSystem.IsLinux() && File.Exists("/proc/self/cmdline"))
            {
                var cmdline = File.ReadAllText("/proc/self/cmdline");
                var argv0 = cmdline.Split('\0')[0];
                if (argv0.Length > 0)
                {
                    return Path.GetFileName(argv0);
                }
            }
        }
        catch (IOException)
        {
            // fall through
        }

        return Path.GetFileName(Environment.ProcessPath ?? "emailrelay");
    }
}
