using System.Text;

namespace EmailRelay.Cli.Service;

/// <summary>
/// <c>emailrelay-start.bat</c>, the file the Windows service takes its command line from, as E-MailRelay for Windows
/// keeps it (its GUI writes it; here <c>emailrelay-service --install</c> writes it once and never overwrites it):
/// <code>
/// @echo off
/// rem ...
/// start "emailrelay" "C:\Program Files\E-MailRelay\emailrelay.exe" --as-server --log --spool-dir "C:\ProgramData\E-MailRelay\spool"
/// </code>
/// so that running the file by hand starts the same relay. The service reads the first line that is not <c>@echo</c>,
/// <c>rem</c>, <c>::</c> or blank, expands <c>%NAME%</c> from the environment and <c>%~dp0</c> to the file's directory,
/// splits it at spaces outside double quotes (quotes removed, as cmd passes a program its arguments), drops a leading
/// <c>start "title"</c> and takes the words after the program as the relay's arguments.
/// </summary>
internal static class ServiceStartFile
{
    /// <summary>The file name.</summary>
    public const string FileName = "emailrelay-start.bat";

    // What cmd reads as a separator or an operator outside quotes.
    private static readonly System.Buffers.SearchValues<char> s_needsQuotes = System.Buffers.SearchValues.Create(" \t,;=&|<>^()");

    /// <summary>The file's text for <paramref name="program"/> and <paramref name="arguments"/>, CRLF line endings.</summary>
    public static string Write(string program, IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(arguments);
        var line = new StringBuilder("start \"emailrelay\" ");
        line.Append(Quote(program));
        foreach (var argument in arguments)
        {
            line.Append(' ').Append(Quote(argument));
        }

        return "@echo off\r\n"
            + "rem E-MailRelay start file: the E-MailRelay service runs the command line below (emailrelay-service --install\r\n"
            + "rem wrote it; edit it and restart the service). Running this file by hand starts the same relay.\r\n"
            + line + "\r\n";
    }

    /// <summary>The relay arguments of the file's text, or an error.</summary>
    /// <param name="text">The file's text.</param>
    /// <param name="directory">The file's directory, for <c>%~dp0</c>.</param>
    /// <param name="variable">Looks up an environment variable (null when unset: <c>%NAME%</c> then stays as written).</param>
    public static (IReadOnlyList<string> Arguments, string Error) Read(string text, string directory, Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(variable);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim().TrimStart('@');
            if (line.Length == 0 || line.StartsWith("::", StringComparison.Ordinal) || IsCommand(line, "rem") || IsCommand(line, "echo"))
            {
                continue;
            }

            var words = Split(Expand(line, directory, variable));
            int first = 0;
            if (words.Count > 0 && !words[0].Quoted && string.Equals(words[0].Text, "start", StringComparison.OrdinalIgnoreCase))
            {
                first = words.Count > 1 && words[1].Quoted ? 2 : 1;
                while (first < words.Count && !words[first].Quoted && words[first].Text.StartsWith('/'))
                {
                    first++; // start's own switches (/b, /min, ...)
                }
            }

            if (first >= words.Count)
            {
                return ([], "no program named in " + FileName);
            }

            return ([.. words.Skip(first + 1).Select(w => w.Text)], "");
        }

        return ([], "no command line in " + FileName);
    }

    private static bool IsCommand(string line, string command)
        => line.StartsWith(command, StringComparison.OrdinalIgnoreCase) && (line.Length == command.Length || line[command.Length] is ' ' or '\t' or '.');

    private static string Quote(string word)
        => word.Length > 0 && word.AsSpan().IndexOfAny(s_needsQuotes) < 0 ? word : "\"" + word + "\"";

    private static string Expand(string line, string directory, Func<string, string?> variable)
    {
        var text = new StringBuilder();
        int i = 0;
        while (i < line.Length)
        {
            if (line[i] != '%')
            {
                text.Append(line[i++]);
                continue;
            }

            if (string.CompareOrdinal(line, i, "%~dp0", 0, 5) == 0)
            {
                text.Append(directory.TrimEnd('\\')).Append('\\');
                i += 5;
                continue;
            }

            int end = line.IndexOf('%', i + 1);
            if (end < 0)
            {
                text.Append(line, i, line.Length - i);
                break;
            }

            var name = line[(i + 1)..end];
            if (name.Length == 0)
            {
                text.Append('%'); // %% is one percent sign
            }
            else
            {
                text.Append(variable(name) ?? line[i..(end + 1)]);
            }

            i = end + 1;
        }

        return text.ToString();
    }

    private static List<(string Text, bool Quoted)> Split(string line)
    {
        var words = new List<(string, bool)>();
        var word = new StringBuilder();
        bool inQuotes = false;
        bool quoted = false;
        bool any = false;
        foreach (char c in line)
        {
            if (c == '"')
            {
                inQuotes = !inQuotes;
                quoted = true;
                any = true;
            }
            else if (!inQuotes && c is ' ' or '\t')
            {
                if (any)
                {
                    words.Add((word.ToString(), quoted));
                }

                word.Clear();
                quoted = false;
                any = false;
            }
            else
            {
                word.Append(c);
                any = true;
            }
        }

        if (any)
        {
            words.Add((word.ToString(), quoted));
        }

        return words;
    }
}
