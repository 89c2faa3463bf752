namespace EmailRelay.Cli.Daemon;

/// <summary>
/// The start-up check a root process makes once its effective ids are <c>--user</c>'s (issue 23 item 1): every
/// directory the relay will write as that user must be writable by it, else the relay refuses to start with one line
/// naming the directory, the user and the fix, rather than accepting connections and failing every message.
/// E-MailRelay takes root back to write spool files; we never regain root while serving (a process-wide
/// <c>seteuid</c> would give every other thread root too), so a root-only spool cannot work and must fail early.
/// </summary>
internal static class WritableDirectories
{
    /// <summary>
    /// The directories written as <c>--user</c>: each unit's spool directory, and a <c>--log-file</c>'s directory
    /// when its name rotates (<c>%d</c>/<c>%h</c>: the file is then reopened as the user). The pid file is written and
    /// removed as root, and a fixed log file is opened as root before the switch, so their directories are not checked.
    /// </summary>
    public static IEnumerable<(string What, string Directory)> Of(IEnumerable<string> spoolDirectories, string? logFile)
    {
        ArgumentNullException.ThrowIfNull(spoolDirectories);
        foreach (var spool in spoolDirectories.Distinct(StringComparer.Ordinal))
        {
            yield return ("spool directory", spool);
        }

        if (logFile is not null && (logFile.Contains("%d", StringComparison.Ordinal) || logFile.Contains("%h", StringComparison.Ordinal))
            && Path.GetDirectoryName(logFile) is { Length: > 0 } logDirectory)
        {
            yield return ("log file directory", logDirectory);
        }
    }

    /// <summary>
    /// Throws <see cref="EmailRelay.Hosting.ConfigurationException"/> (exit 1) for the first existing directory
    /// <paramref name="user"/> cannot write. A missing directory is left to the component that uses it.
    /// </summary>
    public static void Require(IPrivileges privileges, string user, IEnumerable<(string What, string Directory)> directories)
    {
        ArgumentNullException.ThrowIfNull(privileges);
        ArgumentNullException.ThrowIfNull(directories);
        foreach (var (what, directory) in directories)
        {
            if (Directory.Exists(directory) && !privileges.CanWrite(directory))
            {
                throw new EmailRelay.Hosting.ConfigurationException(Message(what, directory, user));
            }
        }
    }

    /// <summary>The one-line refusal.</summary>
    public static string Message(string what, string directory, string user) =>
        what + " \"" + directory + "\" is not writable by user \"" + user + "\": run \"chgrp " + user + " " + directory
        + "; chmod 2775 " + directory + "\", or use \"--user root\"";
}
