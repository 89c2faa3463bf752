namespace EmailRelay.Cli.Daemon;

/// <summary>
/// The name the program was invoked under (argv[0]'s base name), for multi-call dispatch: <c>emailrelay-submit</c>,
/// <c>emailrelay-passwd</c>, <c>emailrelay-filter-copy</c> and <c>emailrelay-dkim-keygen</c> are the same executable under another name.
/// <see cref="Environment.ProcessPath"/> resolves symlinks, so argv[0] is read from <c>/proc/self/cmdline</c>.
/// </summary>
internal static class ProgramName
{
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
