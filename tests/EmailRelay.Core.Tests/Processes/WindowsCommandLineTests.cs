using System.Text;
using EmailRelay.Processes;

namespace EmailRelay.Core.Tests.Processes;

/// <summary>
/// The Windows command lines per extension, as tables; what cmd, cscript and the C runtime make of them is shown under
/// Wine by tests/wine (the .bat and .js filter cases).
/// </summary>
public sealed class WindowsCommandLineTests
{
    private const string System32 = @"C:\Windows\System32";
    private const string Content = @"C:\ProgramData\E-MailRelay\spool\emailrelay.1.2.3.content";
    private const string Envelope = @"C:\ProgramData\E-MailRelay\spool\emailrelay.1.2.3.envelope.new";

    [Theory]
    // program, expected application, expected command line (content and envelope as the two arguments)
    [InlineData(@"C:\filters\f.exe", @"C:\filters\f.exe", @"C:\filters\f.exe " + Content + " " + Envelope)]
    [InlineData(@"C:\Program Files\My Filter\f.EXE", @"C:\Program Files\My Filter\f.EXE", "\"C:\\Program Files\\My Filter\\f.EXE\" " + Content + " " + Envelope)]
    [InlineData(@"C:\filters\noext", @"C:\filters\noext", @"C:\filters\noext " + Content + " " + Envelope)]
    [InlineData(@"C:\filters\f.bat", System32 + @"\cmd.exe", System32 + "\\cmd.exe /d /v:off /s /c \"\"C:\\filters\\f.bat\" \"" + Content + "\" \"" + Envelope + "\"\"")]
    [InlineData(@"C:\My Filters\f.CMD", System32 + @"\cmd.exe", System32 + "\\cmd.exe /d /v:off /s /c \"\"C:\\My Filters\\f.CMD\" \"" + Content + "\" \"" + Envelope + "\"\"")]
    [InlineData(@"C:\My Filters\f.js", System32 + @"\cscript.exe", System32 + "\\cscript.exe //nologo \"C:\\My Filters\\f.js\" " + Content + " " + Envelope)]
    [InlineData(@"C:\filters\f.vbs", System32 + @"\cscript.exe", System32 + @"\cscript.exe //nologo C:\filters\f.vbs " + Content + " " + Envelope)]
    [InlineData(@"C:\filters\f.wsf", System32 + @"\cscript.exe", System32 + @"\cscript.exe //nologo C:\filters\f.wsf " + Content + " " + Envelope)]
    [InlineData(@"C:\My Filters\f.ps1", System32 + @"\WindowsPowerShell\v1.0\powershell.exe", System32 + "\\WindowsPowerShell\\v1.0\\powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -File \"C:\\My Filters\\f.ps1\" " + Content + " " + Envelope)]
    [InlineData(@"C:\odd.dir\prog", @"C:\odd.dir\prog", @"C:\odd.dir\prog " + Content + " " + Envelope)]
    public void Each_extension_is_started_the_way_the_original_starts_it(string program, string application, string commandLine)
    {
        var command = WindowsCommandLine.For(program, [Content, Envelope], System32);
        Assert.Equal((application, commandLine, ""), (command.Application, command.CommandLine, command.Error));
    }

    [Theory]
    // argument, as CommandLineToArgvW must be given it
    [InlineData("plain", "plain")]
    [InlineData("", "\"\"")]
    [InlineData(@"C:\with space\x", "\"C:\\with space\\x\"")]
    [InlineData(@"C:\trailing\", @"C:\trailing\")]
    [InlineData(@"C:\with space\", "\"C:\\with space\\\\\"")]
    [InlineData("a\"b", "\"a\\\"b\"")]
    [InlineData("a\\\"b", "\"a\\\\\\\"b\"")]
    [InlineData("tab\there", "\"tab\there\"")]
    [InlineData("a&b|c", "a&b|c")]
    public void Arguments_are_quoted_so_the_c_runtime_gives_them_back(string argument, string quoted)
    {
        var line = new StringBuilder();
        WindowsCommandLine.Append(line, argument);
        Assert.Equal(quoted, line.ToString());
        Assert.Equal(argument, Unquote(quoted));
    }

    [Fact]
    public void Verifier_arguments_keep_their_positions_empty_ones_included()
    {
        var command = WindowsCommandLine.For(@"C:\v\verify.exe", ["bob@example.com", "", "127.0.0.1:25", "example.com", "", "me"], System32);
        Assert.Equal(@"C:\v\verify.exe bob@example.com """" 127.0.0.1:25 example.com """" me", command.CommandLine);
        Assert.Equal(["C:\\v\\verify.exe", "bob@example.com", "", "127.0.0.1:25", "example.com", "", "me"], Split(command.CommandLine));
    }

    [Fact]
    public void Batch_file_arguments_are_each_in_quotes_so_cmd_reads_no_operator_or_separator()
    {
        var command = WindowsCommandLine.For(@"C:\v\verify.bat", ["a&calc@example.com", "x,y;z=w", "", "(^|<>)"], System32);
        Assert.Equal(System32 + "\\cmd.exe /d /v:off /s /c \"\"C:\\v\\verify.bat\" \"a&calc@example.com\" \"x,y;z=w\" \"\" \"(^|<>)\"\"", command.CommandLine);
    }

    [Theory]
    [InlineData("\"a&calc\"@example.com")]
    [InlineData("a\r\nb")]
    [InlineData("a\nb")]
    [InlineData("a\0b")]
    public void A_batch_file_is_not_started_with_an_argument_that_would_leave_its_quotes(string argument)
    {
        var command = WindowsCommandLine.For(@"C:\v\verify.cmd", ["x", argument], System32);
        Assert.Equal("", command.CommandLine);
        Assert.Contains("batch file", command.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hostile_argument_reaches_an_exe_as_one_argument()
    {
        string[] hostile = ["\"a;calc\"@y", "a b\tc", "\\\"", "x\\", "\\\\server\\share\\"];
        var command = WindowsCommandLine.For(@"C:\v\v.exe", hostile, System32);
        Assert.Equal(["C:\\v\\v.exe", .. hostile], Split(command.CommandLine));
    }

    [Theory]
    [InlineData(@"C:\a\b.BAT", ".bat")]
    [InlineData(@"C:\a.b\c", "")]
    [InlineData("/usr/x.d/y", "")]
    [InlineData(@"C:\a\b.tar.js", ".js")]
    [InlineData(@"C:\a\b", "")]
    public void The_extension_is_read_from_windows_and_unix_paths(string path, string extension)
    {
        Assert.Equal(extension, WindowsCommandLine.Extension(path));
    }

    [Fact]
    public void The_child_environment_is_the_system_variables_and_a_system_path()
    {
        var current = new Dictionary<string, string>
        {
            ["SystemRoot"] = @"C:\Windows",
            ["windir"] = @"C:\Windows",
            ["TEMP"] = @"C:\Temp",
            ["Path"] = @"C:\Users\me\bin;C:\Windows\system32",
            ["SECRET_TOKEN"] = "x",
            ["ComSpec"] = @"C:\Windows\system32\cmd.exe",
        };
        var environment = WindowsCommandLine.Environment(current, @"C:\Windows\");
        Assert.Equal(
            ["ComSpec=C:\\Windows\\system32\\cmd.exe", "PATH=C:\\Windows\\system32;C:\\Windows;C:\\Windows\\System32\\Wbem;C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\", "SystemRoot=C:\\Windows", "TEMP=C:\\Temp", "windir=C:\\Windows"],
            environment.Select(e => e.Key + "=" + e.Value));
    }

    // CommandLineToArgvW's rules for arguments after the first (2n backslashes + quote: n backslashes and a quote
    // toggle; 2n+1 + quote: n and a literal quote; backslashes elsewhere literal), written from its documentation.
    private static List<string> Split(string line)
    {
        var args = new List<string>();
        int i = 0;
        while (i < line.Length)
        {
            while (i < line.Length && line[i] is ' ' or '\t')
            {
                i++;
            }

            if (i == line.Length)
            {
                break;
            }

            var current = new StringBuilder();
            bool quoted = false;
            while (i < line.Length && (quoted || line[i] is not (' ' or '\t')))
            {
                int backslashes = 0;
                while (i < line.Length && line[i] == '\\')
                {
                    backslashes++;
                    i++;
                }

                if (i < line.Length && line[i] == '"')
                {
                    current.Append('\\', backslashes / 2);
                    if (backslashes % 2 == 1)
                    {
                        current.Append('"');
                    }
                    else
                    {
                        quoted = !quoted;
                    }

                    i++;
                }
                else
                {
                    current.Append('\\', backslashes);
                    if (i < line.Length && (quoted || line[i] is not (' ' or '\t')))
                    {
                        current.Append(line[i]);
                        i++;
                    }
                }
            }

            args.Add(current.ToString());
        }

        return args;
    }

    private static string Unquote(string quoted) => Split("x " + quoted) switch
    {
        [_, var one] => one,
        [_] => "",
        var other => throw new InvalidOperationException("split into " + other.Count),
    };
}
