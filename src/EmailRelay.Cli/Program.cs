using EmailRelay.Cli.CommandLine;
using EmailRelay.Cli.Daemon;
using EmailRelay.Cli.Hosting;
using EmailRelay.Cli.Logging;
using EmailRelay.Hosting;
using EmailRelay.Net;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Cli;

/// <summary>
/// The <c>emailrelay</c> executable's entry point: parses, sets up logging, composes, runs, and maps startup failures
/// to exit codes (reference §a: 0 success, 1 any error, 2 a listening socket could not be bound). The only file that
/// calls <see cref="Environment.Exit"/>.
/// </summary>
internal static class Program
{
    private const int ExitOk = 0;
    private const int ExitError = 1;
    private const int ExitBind = 2;

    /// <summary>The message for <c>--as-client</c> on an empty spool (reference §a).</summary>
    private const string NoMessages = "emailrelay: no messages to send";

    private static async Task<int> Main(string[] args)
    {
        ShutdownSignals.ResetInheritedIgnores();
        var tool = ProgramName.ToolFor(ProgramName.Current());
        var code = tool switch
        {
            "emailrelay-passwd" => EmailRelay.Cli.Tools.PasswdTool.Run(args, Console.In, Console.Out, Console.Error),
            "emailrelay-submit" => await Tools.SubmitTool.RunAsync(args, Console.In, !Console.IsInputRedirected, Console.Out, Console.Error),
            "emailrelay-resubmit" => await Tools.ResubmitTool.RunAsync(args, Console.Out, Console.Error),
            "emailrelay-filter-copy" => await Tools.FilterCopyTool.RunAsync(args, Console.Out, Console.Error),
            "emailrelay-dkim-keygen" => Tools.DkimKeygenTool.Run(args, Console.Out, Console.Error),
            "emailrelay-service" => Service.ServiceTool.Run(args, RunRelayAsync, Console.Out, Console.Error),
            _ => await RunRelayAsync(args, CancellationToken.None),
        };
        Environment.Exit(code);
        return code;
    }

    // stop: the Windows service's stop control, which is a shutdown signal.
    private static async Task<int> RunRelayAsync(string[] args, CancellationToken stop)
    {
        // First, so a signal during start-up is not lost: it cancels the token, and start-up ends in an orderly exit.
        using var signals = new ShutdownSignals();
        using var stopping = stop.Register(signals.Request);
        var startDirectory = Environment.CurrentDirectory;
        var environment = new CommandLineEnvironment(
            AppContext.BaseDirectory,
            startDirectory,
            File.ReadAllText,
            RuntimeFacts.Detect())
        {
            Variables = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal),
        };
        switch (CommandLineParser.Parse(args, environment))
        {
            case ShowText show:
                Console.Out.Write(show.Text);
                return ExitOk;
            case ParseFailure failure:
                Console.Error.Write(failure.Message);
                return failure.ExitCode;
            case RunRequest run:
                // Before the first socket: the runtime reads these once.
                SocketEngineSettings.Apply(run.CommandLine);
                return await RunAsync(args, run, startDirectory, signals);
            default:
                return ExitError;
        }
    }

    private static async Task<int> RunAsync(string[] args, RunRequest run, string startDirectory, ShutdownSignals signals)
    {
        var main = run.CommandLine.Main;
        LogSettings settings;
        try
        {
            settings = LogSettingsMapper.Map(main, startDirectory);
        }
        catch (ConfigurationException ex)
        {
            await Console.Error.WriteLineAsync("emailrelay: error: " + ex.Message);
            return ex.ExitCode;
        }

        _ = Service.ConsoleWindow.Apply(Service.ConsoleWindow.WantsHidden(main.IsSet("hidden"), main.Get("show")));
        // Windows has no daemons (E-MailRelay for Windows declares --no-daemon hidden there): the relay stays in its
        // console, or the service manager runs it.
        var daemon = !OperatingSystem.IsWindows() && !main.IsSet("no-daemon") && !main.IsSet("dont-serve");
        if (daemon && !DaemonProcess.IsChild)
        {
            signals.Dispose();
            return await DaemonProcess.RunParentAsync(args, Console.Error);
        }

        ISystemLog? syslog = !settings.Syslog ? null
            : OperatingSystem.IsWindows() ? new EventLogWriter()
            : new SyslogWriter(settings.SyslogFacility, settings.ProgramName, Environment.ProcessId);
        using var provider = new RelayLoggerProvider(settings, TimeProvider.System, Console.Error, syslog);
        using var loggerFactory = new RelayLoggerFactory(provider);
        try
        {
            return await ServeAsync(run, startDirectory, daemon, provider, loggerFactory, new PosixPrivileges(), signals);
        }
        catch (OperationCanceledException) when (signals.Token.IsCancellationRequested)
        {
            return ExitOk; // a shutdown signal during start-up
        }
        catch (ConfigurationException ex)
        {
            provider.WriteFatal(ex.Message);
            return ex.ExitCode;
        }
        catch (ListenerBindException ex)
        {
            provider.WriteFatal(ex.Message);
            return ExitBind;
        }
        catch (Exception ex)
        {
            provider.WriteFatal(ex.Message);
            return ExitError;
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1859", Justification = "IPrivileges is the seam for the privilege switch")]
    private static async Task<int> ServeAsync(RunRequest run, string startDirectory, bool daemon, RelayLoggerProvider provider, RelayLoggerFactory loggerFactory, IPrivileges privileges, ShutdownSignals signals)
    {
        var main = run.CommandLine.Main;
        privileges.UseGroupUmask();
        foreach (var warning in run.Warnings)
        {
            provider.Write(LogLevel.Warning, warning);
        }

        // A signal during start-up: stop at the next step (ends as an orderly exit 0) rather than finish starting.
        signals.Token.ThrowIfCancellationRequested();
        var warnings = new List<string>();
        var activated = SocketActivation.FromEnvironment([.. run.CommandLine.Units.Select(u => u.Name)]);
        var units = UnitOptionsMapper.Map(run.CommandLine, startDirectory, System.Net.Dns.GetHostName(), warnings, activated);
        foreach (var warning in warnings)
        {
            provider.Write(LogLevel.Warning, warning);
        }

        if (units.All(u => u.Listeners.Count == 0) && !run.CommandLine.Units.Any(UnitOptionsMapper.Forwards))
        {
            throw new ConfigurationException("nothing to do");
        }

        var pidFile = main.Get("pid-file") is { } pidPath ? new PidFile(UnitOptionsMapper.ResolvePath(pidPath, startDirectory)) : null;
        if (DaemonProcess.IsChild)
        {
            DaemonProcess.BecomeSessionLeader();
        }

        using var terminate = CancellationTokenSource.CreateLinkedTokenSource(signals.Token);
        using var notifier = SystemdNotifier.FromEnvironment();
        using var stopping = terminate.Token.Register(notifier.Stopping);
        var runtimes = new List<UnitRuntime>();
        foreach (var unit in units)
        {
            signals.Token.ThrowIfCancellationRequested();
            runtimes.Add(await UnitRuntime.CreateAsync(unit, loggerFactory, TimeProvider.System, signals.Token, terminate.Cancel));
        }

        await using var host = new RelayHost(runtimes, loggerFactory) { DrainTimeout = main.GetSeconds("drain-timeout", TimeSpan.FromSeconds(20)) };
        try
        {
            signals.Token.ThrowIfCancellationRequested();
            host.Start();
            await using var web = WebOptionsMapper.Map(main, units[0], startDirectory) is { } webOptions
                ? await EmailRelay.Web.WebConsole.StartAsync(webOptions, runtimes[0], () => host.Listeners.Count > 0 || units.All(u => u.Listeners.Count == 0), loggerFactory, TimeProvider.System, signals.Token)
                : null;

            var user = privileges.TargetUser(main.Get("user") ?? "daemon");
            if (pidFile is not null)
            {
                pidFile.Write(Environment.ProcessId);
                privileges.ShareWithGroupOf(pidFile.Path, user);
            }

            var switched = privileges.IsRoot && !string.Equals(user, "root", StringComparison.Ordinal);
            privileges.DropTo(user);
            if (switched)
            {
                WritableDirectories.Require(privileges, user, WritableDirectories.Of(units.Select(u => u.SpoolDirectory), main.Get("log-file") is { } log ? UnitOptionsMapper.ResolvePath(log, startDirectory) : null));
            }
            if (daemon)
            {
                Environment.CurrentDirectory = "/";
            }

            if (DaemonProcess.IsChild)
            {
                DaemonProcess.SignalReady();
            }

            notifier.Ready("listening on " + string.Join(", ", host.Listeners.Select(l => EndPointText.Format(l.LocalEndPoint))));
            _ = notifier.RunWatchdogAsync(TimeProvider.System, terminate.Token);

            if (main.IsSet("close-stderr"))
            {
                provider.CloseStderr();
                DaemonProcess.DetachStderr();
            }

            // A one-shot run (--as-client) exits 1 when it could not connect (reference §a).
            var forwardingExit = ExitOk;
            foreach (var (forwarder, result) in await host.ServeAsync(terminate.Token, signals.Abort))
            {
                if (result.ConnectError is { } error)
                {
                    // E-MailRelay: "error: dns error: no such host: ..." stands alone; others are connect failures.
                    provider.Write(LogLevel.Error, error.StartsWith("dns error: ", StringComparison.Ordinal) ? error : "connect failure: " + error);
                    forwardingExit = 1;
                }
                else if (result.Candidates == 0 && forwarder.Options.AsClient)
                {
                    await Console.Error.WriteLineAsync(NoMessages);
                }
            }

            if (forwardingExit != ExitOk)
            {
                return forwardingExit;
            }
        }
        finally
        {
            notifier.Stopping();
            await host.DisposeAsync();
            privileges.Regain();
            pidFile?.Remove();
        }

        return ExitOk;
    }
}
