using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using EmailRelay.Cli.CommandLine;
using EmailRelay.Cli.Logging;
using Microsoft.Extensions.Logging;
using static EmailRelay.Cli.Service.ServiceNative;

namespace EmailRelay.Cli.Service;

/// <summary>
/// The relay as a Windows service, in this process: <c>StartServiceCtrlDispatcherW</c> hands the service's main to a
/// thread of the service control manager's, which registers the control handler, reports start pending, reads the
/// command line from <see cref="ServiceStartFile"/> in the configuration directory (adding <c>--no-daemon</c>: the
/// service manager does the backgrounding), makes that directory the current one, reports running and runs the relay
/// until it ends. A stop or shutdown control reports stop pending and cancels the relay's run, which is its orderly
/// shutdown (listeners closed, messages in flight finished or left in the spool); then stopped is reported with the
/// relay's exit code. Start-up errors go to the Event Log.
/// </summary>
[SupportedOSPlatform("windows")]
internal static class WindowsService
{
    /// <summary>The service's name.</summary>
    public const string Name = "emailrelay";

    /// <summary>The service's display name.</summary>
    public const string DisplayName = "E-MailRelay";

    private static readonly ServiceStatusMachine s_machine = new();
    private static readonly CancellationTokenSource s_stop = new();
    private static readonly Lock s_lock = new();
    private static Func<string[], CancellationToken, Task<int>>? s_run;
    private static nint s_handle;
    private static int s_exitCode;
    private static bool s_stopping;

    /// <summary>
    /// Connects to the service control manager and serves until the service stops: the relay's exit code; or
    /// <see cref="ERROR_FAILED_SERVICE_CONTROLLER_CONNECT"/> negated when this process was not started by the service
    /// manager.
    /// </summary>
    public static unsafe int Dispatch(Func<string[], CancellationToken, Task<int>> run)
    {
        s_run = run;
        fixed (char* name = Name)
        {
            var table = stackalloc TableEntry[2];
            table[0] = new TableEntry { Name = name, Main = &ServiceMain };
            table[1] = default;
            if (!StartServiceCtrlDispatcher(table))
            {
                return -Marshal.GetLastPInvokeError();
            }
        }

        return s_exitCode;
    }

    // Returns at once: the relay runs on; the dispatcher returns once stopped is reported.
    [UnmanagedCallersOnly]
    private static unsafe void ServiceMain(uint argc, char** argv)
    {
        s_handle = RegisterServiceCtrlHandlerEx(Name, &Handler, null);
        Report(s_machine.StartPending());
        _ = RunAsync();
    }

    private static async Task RunAsync()
    {
        int code;
        try
        {
            var directory = PlatformDefaults.Current.ConfigDirectory;
            var path = Path.Combine(directory, ServiceStartFile.FileName);
            var (arguments, error) = ServiceStartFile.Read(await File.ReadAllTextAsync(path), directory, Environment.GetEnvironmentVariable);
            if (error.Length > 0)
            {
                throw new InvalidDataException(path + ": " + error);
            }

            Environment.CurrentDirectory = directory;
            var relay = s_run!([.. arguments, "--no-daemon"], s_stop.Token);
            lock (s_lock)
            {
                if (!s_stopping)
                {
                    Report(s_machine.Running());
                }
            }

            code = await relay;
        }
        catch (Exception e)
        {
            using var log = new EventLogWriter();
            log.Write(TimeProvider.System.GetLocalNow(), LogLevel.Error, "emailrelay-service: cannot run: " + e.Message);
            code = 1;
        }

        s_exitCode = code;
        Report(s_machine.Stopped(code));
    }

    [UnmanagedCallersOnly]
    private static unsafe uint Handler(uint control, uint eventType, void* eventData, void* context)
    {
        switch (control)
        {
            case SERVICE_CONTROL_STOP or SERVICE_CONTROL_SHUTDOWN:
                lock (s_lock)
                {
                    Report(s_machine.StopPending());
                    s_stopping = true;
                }

                s_stop.Cancel();
                return NO_ERROR;
            case SERVICE_CONTROL_INTERROGATE:
                Report(s_machine.Current);
                return NO_ERROR;
            default:
                return 120; // ERROR_CALL_NOT_IMPLEMENTED
        }
    }

    private static unsafe void Report(ServiceStatus status)
    {
        lock (s_lock)
        {
            if (s_handle != 0)
            {
                _ = SetServiceStatus(s_handle, &status);
            }
        }
    }
}
