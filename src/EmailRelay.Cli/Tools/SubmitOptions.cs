using System.Text;

namespace EmailRelay.Cli.Tools;

/// <summary>The parsed command line of <c>emailrelay-submit</c> (reference §j).</summary>
internal sealed class SubmitOptions
{
    /// <summary>The usage line.</summary>
    public const string Usage = "usage: emailrelay-submit [options] [<to-address> ...]";

    /// <summary><c>--from</c>, or null to take it from the content.</summary>
    public string? From { get; private set; }

    /// <summary>Recipients from <c>--to</c> and the arguments, in order.</summary>
    public List<string> To { get; } = [];

    /// <summary><c>--spool-dir</c>, or null for the default.</summary>
    public string? SpoolDirectory { get; private set; }

    /// <summary><c>--input-file</c>, or null for stdin.</summary>
    public string? InputFile { get; private set; }

    /// <summary><c>--verbose</c>.</summary>
    public bool Verbose { get; private set; }

    /// <summary><c>--filename</c>.</summary>
    public bool FileNameOnly { get; private set; }

    /// <summary><c>--bcc-split</c>.</summary>
    public bool BccSplit { get; private set; }

    /// <summary><c>--content-date</c>.</summary>
    public bool ContentDate { get; private set; }

    /// <summary><c>--content-message-id</c>'s domain, or null when not given.</summary>
    public string? ContentMessageIdDomain { get; private set; }

    /// <summary><c>--content-from</c>.</summary>
    public bool ContentFrom { get; private set; }

    /// <summary><c>--content-to</c>.</summary>
    public bool ContentTo { get; private set; }

    /// <summary><c>--copy</c>.</summary>
    public bool Copy { get; private set; }

    /// <summary>Decoded <c>--content</c> lines (empty for the blank separator line).</summary>
    public List<string> ContentLines { get; } = [];

    /// <summary><c>--no-stdin</c>.</summary>
    public bool NoStdin { get; private set; }

    /// <summary><c>--body</c>.</summary>
    public bool BodyOnly { get; private set; }

    /// <summary><c>--auth</c>.</summary>
    public string Auth { get; private set; } = "";

    /// <summary><c>--from-auth-in</c>.</summary>
    public string FromAuthIn { get; private set; } = "";

    /// <summary><c>--from-auth-out</c>.</summary>
    public string FromAuthOut { get; private set; } = "";

    /// <summary><c>--help</c>.</summary>
    public bool Help { get; private set; }

    /// <summary><c>--version</c>.</summary>
    public bool Version { get; private set; }

    /// <summary>Parses the arguments; throws <see cref="FormatException"/> with the error text.</summary>
    public static SubmitOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new SubmitOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                options.AddRecipients(args.Skip(i + 1));
                break;
            }

            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                var eq = arg.IndexOf('=', StringComparison.Ordinal);
                var name = eq < 0 ? arg[2..] : arg[2..eq];
                string? value = eq < 0 ? null : arg[(eq + 1)..];
                options.ApplyLong(name, value, args, ref i);
            }
            else if (arg.Length > 1 && arg[0] == '-')
            {
                for (var j = 1; j < arg.Length; j++)
                {
                    var letter = arg[j];
                    var rest = arg[(j + 1)..];
                    if (TakesValue(letter))
                    {
                        var value = rest.Length > 0 ? rest : Next(args, ref i, "-" + letter);
                        options.ApplyLong(LongName(letter), value, args, ref i);
                        break;
                    }

                    options.ApplyLong(LongName(letter), null, args, ref i);
                }
            }
            else
            {
                options.AddRecipients([arg]);
            }
        }

        return options;
    }

    private static bool TakesValue(char letter) => letter is 'f' or 's' or 'x' or 'C' or 'a' or 'i' or 'o';

    private static string LongName(char letter) => letter switch
    {
        'f' => "from",
        's' => "spool-dir",
        'x' => "input-file",
        'v' => "verbose",
        'n' => "filename",
        'b' => "bcc-split",
        'd' => "content-date",
        'I' => "content-message-id",
        'F' => "content-from",
        't' => "content-to",
        'c' => "copy",
        'C' => "content",
        'N' => "no-stdin",
        'B' => "body",
        'a' => "auth",
        'i' => "from-auth-in",
        'o' => "from-auth-out",
        'h' => "help",
        'V' => "version",
        _ => throw new FormatException("invalid option: -" + letter),
    };

    private static string Next(IReadOnlyList<string> args, ref int i, string name)
    {
        if (i + 1 >= args.Count)
        {
            throw new FormatException("usage error: \"" + name + "\" requires a value");
        }

        return args[++i];
    }

    private void ApplyLong(string name, string? value, IReadOnlyList<string> args, ref int i)
    {
        var needsValue = name is "from" or "to" or "spool-dir" or "input-file" or "content" or "auth" or "from-auth-in" or "from-auth-out";
        var given = needsValue ? value ?? Next(args, ref i, "--" + name) : value;
        string Value() => given ?? "";
        switch (name)
        {
            case "from": From = Value(); break;
            case "to": To.AddRange(Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); break;
            case "spool-dir": SpoolDirectory = Value(); break;
            case "input-file": InputFile = Value(); break;
            case "verbose": Verbose = true; break;
            case "filename": FileNameOnly = true; break;
            case "bcc-split": BccSplit = true; break;
            case "content-date": ContentDate = true; break;
            case "content-message-id": ContentMessageIdDomain = string.IsNullOrEmpty(value) ? "local" : value; break;
            case "content-from": ContentFrom = true; break;
            case "content-to": ContentTo = true; break;
            case "copy": Copy = true; break;
            case "content": ContentLines.Add(DecodeContent(Value())); break;
            case "no-stdin": NoStdin = true; break;
            case "body": BodyOnly = true; break;
            case "auth": Auth = Value(); break;
            case "from-auth-in": FromAuthIn = Value(); break;
            case "from-auth-out": FromAuthOut = Value(); break;
            case "help": Help = true; break;
            case "version": Version = true; break;
            default: throw new FormatException("invalid option: --" + name);
        }
    }

    // An empty value or "=" is the blank line between headers and body.
    private static string DecodeContent(string base64)
    {
        if (base64.Length == 0 || base64 == "=")
        {
            return "";
        }

        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(base64)).TrimEnd('\r', '\n');
        }
        catch (FormatException)
        {
            throw new FormatException("invalid base64 content: [" + base64 + "]");
        }
    }

    private void AddRecipients(IEnumerable<string> recipients)
    {
        foreach (var recipient in recipients)
        {
            To.Add(recipient.StartsWith('\\') ? recipient[1..] : recipient);
        }
    }
}
