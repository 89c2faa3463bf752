using EmailRelay.Cli.Logging;
using EmailRelay.Filters;
using EmailRelay.Protocol.Filters;
using EmailRelay.Protocol.Mail;
using EmailRelay.Spool;

namespace EmailRelay.Cli.Tools;

/// <summary>
/// <c>emailrelay-filter-copy</c> (reference §j): the <c>copy:</c> built-in (reference §c) as a <c>--filter</c> program.
/// Usage: <c>emailrelay-filter-copy [--pop] [--hardlink] [--nodelete] &lt;content&gt; &lt;envelope&gt;</c>. Runs
/// <see cref="CopyFilter"/> on the message and maps its result to the server-side filter exit codes: 100 when the
/// original was taken care of (copied and deleted), 0 when there was nothing to copy (a warning on stderr) or with
/// <c>--nodelete</c>, 1 with the reason as <c>&lt;&lt;...&gt;&gt;</c> on stdout on a usage or I/O error.
/// </summary>
internal static class FilterCopyTool
{
    private const string Name = "emailrelay-filter-copy";
    private const int ExitOk = 0;
    private const int ExitFail = 1;
    private const int ExitAbandon = 100;

    private const string Help =
        "usage: emailrelay-filter-copy [<options>] <content-file> <envelope-file>\n" +
        "copies the message into every subdirectory of the spool (not postmaster or dot-names), for --pop-by-name\n" +
        "  -p, --pop        copy the envelope only; the content stays in the spool directory\n" +
        "  -h, --hardlink   hard-link the content rather than copy it\n" +
        "  -n, --nodelete   keep the original message\n" +
        "      --help       show this help and exit\n" +
        "exit: 100 when the message was copied, 0 when there was nothing to copy, 1 on error\n";

    /// <summary>Runs the tool and returns its exit code.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var flags = FilterSpecFlags.None;
        var paths = new List<string>();
        var options = true;
        foreach (var arg in args)
        {
            switch (arg)
            {
                case "--help" when options:
                    await stdout.WriteAsync(Help);
                    return ExitOk;
                case "-p" or "--pop" when options:
                    flags |= FilterSpecFlags.Pop;
                    break;
                case "-h" or "--hardlink" when options:
                    flags |= FilterSpecFlags.Hardlink;
                    break;
                case "-n" or "--nodelete" or "--no-delete" when options:
                    flags |= FilterSpecFlags.NoDelete;
                    break;
                case "--" when options:
                    options = false;
                    break;
                case var option when options && option.StartsWith('-') && option.Length > 1:
                    return await FailAsync(stdout, stderr, "invalid option: " + option);
                default:
                    paths.Add(arg);
                    break;
            }
        }

        if (paths.Count != 2)
        {
            return await FailAsync(stdout, stderr, "usage: expected a content path and an envelope path (see --help)");
        }

        var content = Path.GetFullPath(paths[0]);
        var envelope = Path.GetFullPath(paths[1]);
        foreach (var path in new[] { content, envelope })
        {
            if (!File.Exists(path))
            {
                return await FailAsync(stdout, stderr, "no such file: " + path);
            }

            try
            {
                await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return await FailAsync(stdout, stderr, "cannot read " + path + ": " + e.Message);
            }
        }

        if (!string.Equals(Path.GetDirectoryName(content), Path.GetDirectoryName(envelope), StringComparison.Ordinal))
        {
            return await FailAsync(stdout, stderr, "the content and envelope are not in the same spool directory");
        }

        var id = IdOf(content, ".content") ?? IdOf(envelope, ".envelope.new") ?? IdOf(envelope, ".envelope") ?? Path.GetFileName(content);
        using var logger = new RelayLoggerProvider(new LogSettings { ProgramName = Name, Enabled = true }, TimeProvider.System, stderr, null);
        var filter = new CopyFilter("copy", flags, logger.CreateLogger(Name));
        var result = await filter.RunAsync(new FilterContext(FileFilterMessage.ForFiles(new MessageId(id), content, envelope, TimeProvider.System), IsServerSide: true), CancellationToken.None);
        return result.Outcome switch
        {
            FilterOutcome.Abandon => ExitAbandon,
            FilterOutcome.Ok => ExitOk,
            _ => await FailAsync(stdout, stderr, "copy failed: " + result.Reason),
        };
    }

    private static string? IdOf(string path, string suffix)
    {
        var name = Path.GetFileName(path);
        return name.EndsWith(suffix, StringComparison.Ordinal) && name.Length > suffix.Length ? name[..^suffix.Length] : null;
    }

    private static async Task<int> FailAsync(TextWriter stdout, TextWriter stderr, string message)
    {
        // The relay shows the text between << and >> as the SMTP response (reference §c).
        var line = message.ReplaceLineEndings(" ");
        await stdout.WriteLineAsync("<<" + line + ">>");
        await stderr.WriteLineAsync(Name + ": error: " + line);
        return ExitFail;
    }
}
