using System.Text;

namespace EmailRelay.Processes;

/// <summary>
/// How a filter or verifier program is started on Windows (reference §c, "On Windows, .js and .ps1 scripts are wrapped
/// in cscript or PowerShell"), by the program's extension, compared case-insensitively:
/// <list type="bullet">
/// <item><c>.bat</c>, <c>.cmd</c>: <c>%SystemRoot%\System32\cmd.exe /d /v:off /s /c ""program" "arg" ..."</c>: no AutoRun
/// commands, no delayed expansion, and <c>/s</c> so cmd strips exactly the outer pair of quotes.</item>
/// <item><c>.ps1</c>: <c>powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "program" args</c>.</item>
/// <item><c>.js</c>, <c>.jse</c>, <c>.vbs</c>, <c>.vbe</c>, <c>.wsf</c>: <c>cscript.exe //nologo "program" args</c>.</item>
/// <item>Anything else (<c>.exe</c>, <c>.com</c>, no extension): the program itself.</item>
/// </list>
/// Each argument is quoted by the rules the C runtime's and <c>CommandLineToArgvW</c>'s parsers undo, so it arrives as one
/// intact argument; an empty one arrives empty. A batch file sees its arguments through cmd, which knows no escape inside
/// quotes: there every argument is quoted, and one holding a double quote, CR, LF or NUL cannot be passed intact, so the
/// program is not started (<see cref="WindowsCommand.Error"/>) rather than let such text, from an SMTP peer, break out of
/// its quotes. (Inside quotes <c>&amp; | &lt; &gt; ^ ( )</c> are plain text to cmd; <c>%NAME%</c> of a variable in the
/// child's environment is still expanded, which runs nothing.)
/// </summary>
internal static class WindowsCommandLine
{
    private static readonly string[] s_cscript = [".js", ".jse", ".vbs", ".vbe", ".wsf"];

    /// <summary>The command that runs <paramref name="program"/> with <paramref name="arguments"/>.</summary>
    /// <param name="program">The program's Windows path.</param>
    /// <param name="arguments">argv[1] onwards.</param>
    /// <param name="systemDirectory">The System32 directory (<c>C:\Windows\System32</c>), where cmd, cscript and PowerShell are.</param>
    public static WindowsCommand For(string program, IReadOnlyList<string> arguments, string systemDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(systemDirectory);
        var extension = Extension(program);
        if (extension is ".bat" or ".cmd")
        {
            var cmd = Join(systemDirectory, "cmd.exe");
            var line = new StringBuilder();
            Append(line, cmd);
            line.Append(" /d /v:off /s /c \"");
            AppendForBatch(line, program);
            foreach (var argument in arguments)
            {
                if (argument.AsSpan().IndexOfAny("\"\r\n\0") >= 0)
                {
                    return new WindowsCommand(cmd, "", "cannot pass an argument holding a double quote or a line break to a batch file");
                }

                line.Append(' ');
                AppendForBatch(line, argument);
            }

            line.Append('"');
            return new WindowsCommand(cmd, line.ToString(), "");
        }

        string application;
        string[] prefix;
        if (extension == ".ps1")
        {
            application = Join(systemDirectory, @"WindowsPowerShell\v1.0\powershell.exe");
            prefix = ["-NoLogo", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-File", program];
        }
        else if (s_cscript.Contains(extension))
        {
            application = Join(systemDirectory, "cscript.exe");
            prefix = ["//nologo", program];
        }
        else
        {
            application = program;
            prefix = [];
        }

        var text = new StringBuilder();
        Append(text, application);
        foreach (var argument in prefix.Concat(arguments))
        {
            text.Append(' ');
            Append(text, argument);
        }

        return new WindowsCommand(application, text.ToString(), "");
    }

    /// <summary>The variables a child gets, from this process's environment, when set here.</summary>
    public static readonly string[] KeptVariables =
        ["APPDATA", "ComSpec", "LOCALAPPDATA", "PATHEXT", "ProgramData", "SystemDrive", "SystemRoot", "TEMP", "TMP", "USERPROFILE", "windir"];

    /// <summary>
    /// The child's environment, the Windows counterpart of the Unix <c>PATH=/usr/bin:/bin</c>: <see cref="KeptVariables"/>
    /// from <paramref name="current"/> and a <c>PATH</c> of the system directories only, sorted by name as Windows keeps an
    /// environment block.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Environment(IReadOnlyDictionary<string, string> current, string systemRoot)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(systemRoot);
        var byName = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in KeptVariables)
        {
            foreach (var (key, value) in current)
            {
                if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
                {
                    byName[name] = value;
                }
            }
        }

        var root = systemRoot.TrimEnd('\\');
        byName["PATH"] = root + @"\system32;" + root + ";" + root + @"\System32\Wbem;" + root + @"\System32\WindowsPowerShell\v1.0\";
        return [.. byName];
    }

    /// <summary>The extension of a Windows or Unix path, lower case, with its dot; empty when it has none.</summary>
    public static string Extension(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        int dot = path.LastIndexOf('.');
        return dot < 0 || path.AsSpan(dot).IndexOfAny('\\', '/') >= 0 ? "" : path[dot..].ToLowerInvariant();
    }

    /// <summary>
    /// Appends <paramref name="argument"/> so that <c>CommandLineToArgvW</c> gives it back: as is when it is not empty and
    /// holds no space, tab, line break or quote; otherwise in quotes, with backslashes doubled where they precede a quote
    /// (an embedded one, escaped as <c>\"</c>, or the closing one).
    /// </summary>
    public static void Append(StringBuilder line, string argument)
    {
        ArgumentNullException.ThrowIfNull(line);
        ArgumentNullException.ThrowIfNull(argument);
        if (argument.Length > 0 && argument.AsSpan().IndexOfAny(" \t\n\v\"") < 0)
        {
            line.Append(argument);
            return;
        }

        line.Append('"');
        int backslashes = 0;
        foreach (char c in argument)
        {
            if (c == '\\')
            {
                backslashes++;
                continue;
            }

            line.Append('\\', c == '"' ? (backslashes * 2) + 1 : backslashes);
            backslashes = 0;
            line.Append(c);
        }

        line.Append('\\', backslashes * 2);
        line.Append('"');
    }

    // cmd splits a batch file's arguments at spaces, tabs, commas, semicolons and equals signs outside quotes and
    // reads & | < > ^ ( ) there: every argument goes in quotes (%~1 removes them).
    private static void AppendForBatch(StringBuilder line, string argument) => line.Append('"').Append(argument).Append('"');

    private static string Join(string directory, string name)
        => directory.Length == 0 ? name : directory.TrimEnd('\\', '/') + "\\" + name;
}

/// <summary>A command line for <c>CreateProcessW</c>.</summary>
/// <param name="Application">The executable started (its <c>lpApplicationName</c>).</param>
/// <param name="CommandLine">The whole command line, the executable's name first.</param>
/// <param name="Error">Why the program cannot be started this way; empty when it can.</param>
internal sealed record WindowsCommand(string Application, string CommandLine, string Error);
