using System.Text;
using EmailRelay.Cli.CommandLine;
using EmailRelay.Filters;
using EmailRelay.Protocol.Filters;
using EmailRelay.Protocol.Mail;
using EmailRelay.Spool;
using Microsoft.Extensions.Logging.Abstractions;

namespace EmailRelay.Cli.Tools;

/// <summary>
/// <c>emailrelay-submit</c> (reference §j): stores a message straight into the spool, without SMTP and without
/// filters, through <see cref="FileSpool"/> (content, then <c>.envelope.new</c>, both fsynced, then the rename):
/// the same durability as the server. The envelope gets <c>Client: 127.0.0.1</c> and <c>Content: unknown</c>.
/// Exit code 0 on success, 1 on any error.
/// </summary>
internal static class SubmitTool
{
    private const string Name = "emailrelay-submit";

    /// <summary>Runs the tool.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextReader stdin, bool stdinIsTerminal, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        SubmitOptions options;
        try
        {
            options = SubmitOptions.Parse(args);
        }
        catch (FormatException ex)
        {
            await stderr.WriteLineAsync(Name + ": " + ex.Message);
            return 1;
        }

        if (options.Help)
        {
            await stdout.WriteAsync(HelpText(options.Verbose));
            return 0;
        }

        if (options.Version)
        {
            await stdout.WriteLineAsync(Name + " " + VersionText.CompatibleVersion);
            return 0;
        }

        try
        {
            var lines = new List<string>(options.ContentLines);
            if (!options.NoStdin || options.InputFile is not null)
            {
                using var input = options.InputFile is { } file ? new StreamReader(file, Encoding.UTF8) : null;
                var reader = input ?? stdin;
                var terminal = input is null && stdinIsTerminal;
                if (options.BodyOnly && !lines.Contains(""))
                {
                    lines.Add("");
                }

                while (await reader.ReadLineAsync() is { } line)
                {
                    if (terminal && line == ".")
                    {
                        break;
                    }

                    lines.Add(line);
                }
            }

            var spoolDirectory = Path.GetFullPath(options.SpoolDirectory ?? OptionTable.DefaultSpoolDirectory);
            var spool = new FileSpool(spoolDirectory, NullLogger.Instance, TimeProvider.System);
            foreach (var message in SubmitMessage.Build(options, lines, TimeProvider.System.GetLocalNow(), Environment.ProcessId))
            {
                var id = await StoreAsync(spool, message, options);
                var content = Path.Combine(spoolDirectory, id + ".content");
                if (options.Verbose)
                {
                    await stdout.WriteLineAsync(content);
                }
                else if (options.FileNameOnly)
                {
                    await stdout.WriteLineAsync(Path.GetFileName(content));
                }
            }

            return 0;
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException or SpoolException)
        {
            await stderr.WriteLineAsync(Name + ": error: " + ex.Message);
            return 1;
        }
    }

    private static async Task<string> StoreAsync(FileSpool spool, SubmitMessage message, SubmitOptions options)
    {
        await using var created = await spool.CreateAsync(CancellationToken.None);
        var text = string.Join("\r\n", message.Lines) + "\r\n";
        await created.WriteAsync(Encoding.UTF8.GetBytes(text), CancellationToken.None);
        var envelope = new Envelope
        {
            Body = BodyType.Unknown,
            From = message.From,
            ToRemote = message.To,
            Authentication = options.Auth,
            ClientAddress = "127.0.0.1",
            MailFromAuthIn = options.FromAuthIn,
            MailFromAuthOut = options.FromAuthOut,
        };
        await created.PrepareAsync(envelope, CancellationToken.None);
        var copied = false;
        if (options.Copy)
        {
            // As copy:pop: the envelope goes into every mailbox of the spool and the original is removed; the
            // content stays for --pop-by-name. No mailbox: the message stays as it is.
            var result = await new CopyFilter("copy:pop", FilterSpecFlags.Pop, NullLogger.Instance).RunAsync(new FilterContext(created.AsFilterMessage(), IsServerSide: true), CancellationToken.None);
            if (result.Outcome == FilterOutcome.Fail)
            {
                throw new IOException(result.Reason);
            }

            copied = result.Outcome == FilterOutcome.Abandon;
        }

        if (!await created.CommitAsync(CancellationToken.None) && !copied)
        {
            throw new IOException("the message could not be committed");
        }

        return created.Id.ToString();
    }

    private static string HelpText(bool verbose)
    {
        var text = new StringBuilder(SubmitOptions.Usage + "\n\n");
        text.Append("  -f, --from <addr>               envelope sender (default: the From: header)\n");
        text.Append("      --to <addr>[,...]           envelope recipients (default: the To/cc/bcc headers)\n");
        text.Append("  -s, --spool-dir <dir>           spool directory\n");
        text.Append("  -x, --input-file <file>         read content from a file\n");
        text.Append("  -v, --verbose                   print the content file path\n");
        text.Append("  -n, --filename                  print the content file name\n");
        if (verbose)
        {
            text.Append("  -b, --bcc-split                 one message per bcc recipient\n");
            text.Append("  -d, --content-date              add a Date: header if missing\n");
            text.Append("  -I, --content-message-id[=dom]  add a Message-ID: header if missing\n");
            text.Append("  -F, --content-from              set From: to the envelope sender\n");
            text.Append("  -t, --content-to                set To: to the envelope recipients\n");
            text.Append("  -c, --copy                      copy the envelope into spool subdirectories\n");
            text.Append("  -C, --content <base64>          add a content line\n");
            text.Append("  -N, --no-stdin                  do not read stdin\n");
            text.Append("  -B, --body                      the input is the body only\n");
            text.Append("  -a, --auth <name>               envelope authentication\n");
            text.Append("  -i, --from-auth-in <name>       envelope MailFromAuthIn\n");
            text.Append("  -o, --from-auth-out <name>      envelope MailFromAuthOut\n");
        }

        text.Append("  -h, --help                      help (with -v for every option)\n");
        text.Append("  -V, --version                   version\n");
        return text.ToString();
    }
}
