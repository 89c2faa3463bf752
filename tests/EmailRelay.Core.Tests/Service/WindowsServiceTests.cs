using EmailRelay.Cli.CommandLine;
using EmailRelay.Cli.Logging;
using EmailRelay.Cli.Service;
using Microsoft.Extensions.Logging;
using static EmailRelay.Cli.Service.ServiceNative;

namespace EmailRelay.Core.Tests.Service;

/// <summary>
/// The Windows service's start file, status sequence and event types, as values (tests/wine runs the service itself
/// under Wine's service manager where it can).
/// </summary>
public sealed class WindowsServiceTests
{
    private const string Directory = @"C:\ProgramData\E-MailRelay";

    private static readonly Dictionary<string, string> s_environment = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ProgramData"] = @"C:\ProgramData",
        ["ProgramFiles"] = @"C:\Program Files",
    };

    [Fact]
    public void The_start_file_written_on_install_reads_back_as_its_arguments()
    {
        string[] arguments = ["--as-server", "--log", "--spool-dir", @"C:\ProgramData\E-MailRelay\spool", "--filter", @"C:\My Filters\f.js", "--port", "25", "--domain", ""];
        var text = ServiceStartFile.Write(@"C:\Program Files\E-MailRelay\emailrelay.exe", arguments);
        Assert.EndsWith("\r\nstart \"emailrelay\" \"C:\\Program Files\\E-MailRelay\\emailrelay.exe\" --as-server --log --spool-dir C:\\ProgramData\\E-MailRelay\\spool --filter \"C:\\My Filters\\f.js\" --port 25 --domain \"\"\r\n", text, StringComparison.Ordinal);
        Assert.StartsWith("@echo off\r\n", text, StringComparison.Ordinal);
        var (read, error) = ServiceStartFile.Read(text, Directory, Lookup);
        Assert.Equal(("", string.Join("|", arguments)), (error, string.Join("|", read)));
    }

    [Theory]
    // start file text, expected arguments joined by |, expected error
    [InlineData("@echo off\r\nstart \"emailrelay\" \"C:\\E\\emailrelay.exe\" --as-server --port 25\r\n", "--as-server|--port|25", "")]
    [InlineData("@echo off\nrem a comment\n:: another\n\nstart \"\" /min emailrelay.exe --log\n", "--log", "")]
    [InlineData("\"%ProgramFiles%\\E-MailRelay\\emailrelay.exe\" --spool-dir \"%ProgramData%\\E-MailRelay\\spool\"", @"--spool-dir|C:\ProgramData\E-MailRelay\spool", "")]
    [InlineData("emailrelay.exe --pop-auth %~dp0pop.auth --undefined %NOT_SET% 100%%", @"--pop-auth|C:\ProgramData\E-MailRelay\pop.auth|--undefined|%NOT_SET%|100%", "")]
    [InlineData("@echo off\r\nREM only comments\r\n", "", "no command line in emailrelay-start.bat")]
    [InlineData("start \"emailrelay\"", "", "no program named in emailrelay-start.bat")]
    [InlineData("START \"emailrelay\" emailrelay.exe @app\\emailrelay.cfg", @"@app\emailrelay.cfg", "")]
    public void Start_files_as_written_by_hand_or_by_the_original_gui_are_read(string text, string arguments, string error)
    {
        var (read, problem) = ServiceStartFile.Read(text, Directory, Lookup);
        Assert.Equal((arguments, error), (string.Join("|", read), problem));
    }

    [Theory]
    // options given to --install, expected start-file arguments
    [InlineData("", @"--as-server|--log|--spool-dir|C:\ProgramData\E-MailRelay\spool")]
    [InlineData("--as-proxy|smarthost:25|--log", "--as-proxy|smarthost:25|--log")]
    public void Install_writes_the_options_given_or_a_storing_server(string options, string expected)
    {
        var (program, arguments) = ServiceTool.StartCommand(@"C:\Program Files\E-MailRelay\", options.Length == 0 ? [] : options.Split('|'), PlatformDefaults.Windows(@"C:\ProgramData"));
        Assert.Equal((@"C:\Program Files\E-MailRelay\emailrelay.exe", expected), (program, string.Join("|", arguments)));
    }

    [Fact]
    public void The_status_sequence_is_start_pending_running_stop_pending_stopped()
    {
        var machine = new ServiceStatusMachine();
        var reported = new[] { machine.StartPending(), machine.Running(), machine.StopPending(), machine.StopPending(), machine.Stopped(0) };
        Assert.Equal(
            [
                (SERVICE_START_PENDING, 0u, 0u, 0u, 1u, ServiceStatusMachine.WaitHintMilliseconds),
                (SERVICE_RUNNING, SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN, 0u, 0u, 0u, 0u),
                (SERVICE_STOP_PENDING, 0u, 0u, 0u, 1u, ServiceStatusMachine.WaitHintMilliseconds),
                (SERVICE_STOP_PENDING, 0u, 0u, 0u, 2u, ServiceStatusMachine.WaitHintMilliseconds),
                (SERVICE_STOPPED, 0u, 0u, 0u, 0u, 0u),
            ],
            reported.Select(s => (s.CurrentState, s.ControlsAccepted, s.Win32ExitCode, s.ServiceSpecificExitCode, s.CheckPoint, s.WaitHint)));
        Assert.All(reported, s => Assert.Equal(SERVICE_WIN32_OWN_PROCESS, s.ServiceType));
        Assert.Equal(SERVICE_STOPPED, machine.Current.CurrentState);
    }

    [Theory]
    [InlineData(1, 1066u, 1u)]
    [InlineData(2, 1066u, 2u)]
    public void A_relay_that_ends_with_an_error_stops_with_a_service_specific_code(int exitCode, uint win32, uint specific)
    {
        var stopped = new ServiceStatusMachine().Stopped(exitCode);
        Assert.Equal((SERVICE_STOPPED, win32, specific), (stopped.CurrentState, stopped.Win32ExitCode, stopped.ServiceSpecificExitCode));
    }

    [Theory]
    [InlineData(LogLevel.Critical, 1)]
    [InlineData(LogLevel.Error, 1)]
    [InlineData(LogLevel.Warning, 2)]
    [InlineData(LogLevel.Information, 4)]
    [InlineData(LogLevel.Debug, 4)]
    public void Log_levels_become_event_types(LogLevel level, int type)
    {
        Assert.Equal(type, EventLogWriter.EventType(level));
    }

    [SkippableFact]
    public void The_service_tool_says_it_is_windows_only_elsewhere()
    {
        Skip.If(OperatingSystem.IsWindows(), "SKIPPED: this is Windows, where emailrelay-service installs services");

        var error = new StringWriter();
        Assert.Equal(1, ServiceTool.Run(["--install"], (_, _) => Task.FromResult(0), TextWriter.Null, error));
        Assert.Contains("Windows edition", error.ToString(), StringComparison.Ordinal);
    }

    private static string? Lookup(string name) => s_environment.TryGetValue(name, out var value) ? value : null;
}
