using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using EmailRelay.Cli.CommandLine;
using EmailRelay.Cli.Logging;
using static EmailRelay.Cli.Service.ServiceNative;

namespace EmailRelay.Cli.Service;

/// <summary>
/// <c>emailrelay-service</c>, E-MailRelay for Windows' service wrapper (reference §j), a name of this executable:
/// <list type="bullet">
/// <item><c>emailrelay-service --install [&lt;option&gt; ...]</c>: creates the configuration and spool directories under
/// <c>%ProgramData%\E-MailRelay</c>, writes <c>emailrelay-start.bat</c> there unless it exists (the options given, or
/// <c>--as-server --log --spool-dir &lt;spool&gt;</c>), registers the automatic service "emailrelay" (display name
/// "E-MailRelay") that runs this program under the name <c>emailrelay-service.exe</c>, and the Event Log source.</item>
/// <item><c>emailrelay-service --uninstall</c> (or <c>--remove</c>): stops and deletes the service and the event
/// source; the start file, configuration and spool stay.</item>
/// <item>Without arguments, as the service manager starts it: <see cref="WindowsService"/>.</item>
/// </list>
/// </summary>
internal static class ServiceTool
{
    /// <summary>The usage line.</summary>
    public const string Usage = "usage: emailrelay-service {--install [<emailrelay-option> ...] | --uninstall}";

    private const string EventSourceKey = @"SYSTEM\CurrentControlSet\Services\EventLog\Application\" + EventLogWriter.Source;
    private const string EventMessageFile = @"%SystemRoot%\Microsoft.NET\Framework64\v4.0.30319\EventLogMessages.dll";
    private const int ErrorServiceExists = 1073;

    /// <summary>Runs the tool; <paramref name="run"/> runs the relay with arguments until the token stops it.</summary>
    public static int Run(string[] args, Func<string[], CancellationToken, Task<int>> run, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (!OperatingSystem.IsWindows())
        {
            error.WriteLine("emailrelay-service: the service is part of the Windows edition; on Unix see packaging/systemd and packaging/init.d");
            return 1;
        }

        try
        {
            return args switch
            {
                ["--install", .. var options] => Install(options, output),
                ["--uninstall" or "--remove"] => Uninstall(output),
                [] => Serve(run, error),
                _ => Fail(error, Usage),
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            return Fail(error, "emailrelay-service: " + e.Message);
        }
    }

    /// <summary>The start file's program and arguments for an installation from <paramref name="directory"/>.</summary>
    public static (string Program, IReadOnlyList<string> Arguments) StartCommand(string directory, IReadOnlyList<string> options, PlatformDefaults platform)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(platform);
        var program = directory.TrimEnd('\\') + @"\emailrelay.exe";
        return (program, options.Count > 0 ? options : ["--as-server", "--log", "--spool-dir", platform.SpoolDirectory]);
    }

    [SupportedOSPlatform("windows")]
    private static int Serve(Func<string[], CancellationToken, Task<int>> run, TextWriter error)
    {
        int code = WindowsService.Dispatch(run);
        return code == -ERROR_FAILED_SERVICE_CONTROLLER_CONNECT
            ? Fail(error, "emailrelay-service: not started by the service manager\n" + Usage)
            : code < 0 ? Fail(error, "emailrelay-service: " + Marshal.GetPInvokeErrorMessage(-code)) : code;
    }

    [SupportedOSPlatform("windows")]
    private static int Install(IReadOnlyList<string> options, TextWriter output)
    {
        var platform = PlatformDefaults.Current;
        var directory = AppContext.BaseDirectory;
        Directory.CreateDirectory(platform.ConfigDirectory);
        Directory.CreateDirectory(platform.SpoolDirectory);
        var startFile = Path.Combine(platform.ConfigDirectory, ServiceStartFile.FileName);
        if (File.Exists(startFile))
        {
            output.WriteLine("emailrelay-service: keeping " + startFile);
        }
        else
        {
            var (program, arguments) = StartCommand(directory, options, platform);
            File.WriteAllText(startFile, ServiceStartFile.Write(program, arguments));
            output.WriteLine("emailrelay-service: wrote " + startFile);
        }

        var binary = "\"" + Path.Combine(directory, "emailrelay-service.exe") + "\"";
        var manager = OpenSCManager(null, null, SC_MANAGER_ALL_ACCESS);
        if (manager == 0)
        {
            throw new IOException("cannot open the service manager: " + Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
        }

        try
        {
            var service = CreateService(manager, WindowsService.Name, WindowsService.DisplayName, SERVICE_ALL_ACCESS, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START, SERVICE_ERROR_NORMAL, binary, null, 0, null, null, null);
            if (service == 0)
            {
                int code = Marshal.GetLastPInvokeError();
                if (code != ErrorServiceExists)
                {
                    throw new IOException("cannot create the service: " + Marshal.GetPInvokeErrorMessage(code));
                }

                output.WriteLine("emailrelay-service: the service \"" + WindowsService.Name + "\" is installed already");
            }
            else
            {
                _ = CloseServiceHandle(service);
                output.WriteLine("emailrelay-service: installed the service \"" + WindowsService.Name + "\" (" + binary + ")");
            }
        }
        finally
        {
            _ = CloseServiceHandle(manager);
        }

        using (var key = Microsoft.Win32.Registry.LocalMachine.CreateSubKey(EventSourceKey))
        {
            key.SetValue("EventMessageFile", EventMessageFile, Microsoft.Win32.RegistryValueKind.ExpandString);
            key.SetValue("TypesSupported", 7, Microsoft.Win32.RegistryValueKind.DWord);
        }

        output.WriteLine("emailrelay-service: registered the Event Log source \"" + EventLogWriter.Source + "\"");
        return 0;
    }

    [SupportedOSPlatform("windows")]
    private static unsafe int Uninstall(TextWriter output)
    {
        var manager = OpenSCManager(null, null, SC_MANAGER_ALL_ACCESS);
        if (manager == 0)
        {
            throw new IOException("cannot open the service manager: " + Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
        }

        try
        {
            var service = OpenService(manager, WindowsService.Name, SERVICE_ALL_ACCESS);
            if (service == 0)
            {
                int code = Marshal.GetLastPInvokeError();
                if (code != ERROR_SERVICE_DOES_NOT_EXIST)
                {
                    throw new IOException("cannot open the service: " + Marshal.GetPInvokeErrorMessage(code));
                }

                output.WriteLine("emailrelay-service: no service \"" + WindowsService.Name + "\" is installed");
            }
            else
            {
                try
                {
                    ServiceStatus status;
                    _ = ControlService(service, SERVICE_CONTROL_STOP, &status);
                    if (!DeleteService(service))
                    {
                        throw new IOException("cannot delete the service: " + Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
                    }
                }
                finally
                {
                    _ = CloseServiceHandle(service);
                }

                output.WriteLine("emailrelay-service: removed the service \"" + WindowsService.Name + "\"");
            }
        }
        finally
        {
            _ = CloseServiceHandle(manager);
        }

        Microsoft.Win32.Registry.LocalMachine.DeleteSubKeyTree(EventSourceKey, throwOnMissingSubKey: false);
        return 0;
    }

    private static int Fail(TextWriter error, string message)
    {
        error.WriteLine(message);
        return 1;
    }
}
