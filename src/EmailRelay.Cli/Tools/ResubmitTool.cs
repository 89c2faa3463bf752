using System.Globalization;
using System.Text;
using EmailRelay.Cli.CommandLine;

namespace EmailRelay.Cli.Tools;

/// <summary>
/// <c>emailrelay-resubmit</c> (differences.md 18; E-MailRelay's <c>emailrelay-resubmit.sh</c> as intended): renames
/// each failed envelope (<c>.envelope.bad</c>) with fewer than N <c>X-MailRelay-Reason:</c> lines back to
/// <c>.envelope</c> (an atomic same-directory rename, no overwrite), so that the next forwarding run retries it.
/// Usage: <c>emailrelay-resubmit [-v] [-n|--limit N] [[-s|--spool-dir] dir]</c>; N defaults to 5.
/// </summary>
internal static class ResubmitTool
{
    /// <summary>The default limit of reason lines, as the shipped script.</summary>
    public const int DefaultLimit = 5;

    private const string Name = "emailrelay-resubmit";
    private const string Usage = "usage: emailrelay-resubmit [-v] [--limit <n>] [[--spool-dir] <dir>]";

    /// <summary>Runs the tool; exit 0, or 1 on a usage or I/O error.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var limit = DefaultLimit;
        var verbose = false;
        string? directory = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "-h" or "--help":
                    await stdout.WriteLineAsync(Usage);
                    return 0;
                case "-v" or "--verbose":
                    verbose = true;
                    break;
                case "-n" or "--limit" when i + 1 < args.Count && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit > 0:
                    i++;
                    break;
                case "-s" or "--spool-dir" when i + 1 < args.Count:
                    directory = args[++i];
                    break;
                case var positional when !positional.StartsWith('-') && directory is null:
                    directory = positional;
                    break;
                default:
                    await stderr.WriteLineAsync(Name + ": " + Usage);
                    return 1;
            }
        }

        directory = Path.GetFullPath(directory ?? OptionTable.DefaultSpoolDirectory);
        try
        {
            foreach (var bad in Directory.EnumerateFiles(directory, "emailrelay.*.envelope.bad").Order(StringComparer.Ordinal))
            {
                var reasons = File.ReadLines(bad, Encoding.Latin1).Count(l => l.StartsWith("X-MailRelay-Reason:", StringComparison.Ordinal));
                if (reasons >= limit)
                {
                    continue;
                }

                var ready = bad[..^".bad".Length];
                if (File.Exists(ready))
                {
                    continue;
                }

                File.Move(bad, ready, overwrite: false);
                if (verbose)
                {
                    await stdout.WriteLineAsync(Path.GetFileName(ready));
                }
            }

            return 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync(Name + ": error: " + ex.Message);
            return 1;
        }
    }
}
