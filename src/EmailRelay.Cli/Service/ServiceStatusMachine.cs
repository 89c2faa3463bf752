using static EmailRelay.Cli.Service.ServiceNative;

namespace EmailRelay.Cli.Service;

/// <summary>
/// The <c>SERVICE_STATUS</c> values the service reports to the service control manager, in order: start pending
/// (no controls accepted, a rising check point and a wait hint), running (stop and shutdown accepted), stop pending
/// after a stop or shutdown control (again a check point and a hint, while the relay drains), and stopped with the
/// relay's exit code (0, or <c>ERROR_SERVICE_SPECIFIC_ERROR</c> carrying the code, which <c>sc query</c> shows).
/// </summary>
internal sealed class ServiceStatusMachine
{
    /// <summary>The wait hint of the pending states.</summary>
    public const uint WaitHintMilliseconds = 30_000;

    private uint _checkPoint;

    /// <summary>The state last reported.</summary>
    public ServiceStatus Current { get; private set; } = Make(SERVICE_STOPPED, 0, 0, 0, 0, 0);

    /// <summary>Starting.</summary>
    public ServiceStatus StartPending() => Set(Make(SERVICE_START_PENDING, 0, 0, 0, ++_checkPoint, WaitHintMilliseconds));

    /// <summary>Serving.</summary>
    public ServiceStatus Running() => Set(Make(SERVICE_RUNNING, SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN, 0, 0, _checkPoint = 0, 0));

    /// <summary>Stopping after a stop or shutdown control.</summary>
    public ServiceStatus StopPending() => Set(Make(SERVICE_STOP_PENDING, 0, 0, 0, ++_checkPoint, WaitHintMilliseconds));

    /// <summary>Stopped with the relay's exit code.</summary>
    public ServiceStatus Stopped(int exitCode) => Set(exitCode == 0
        ? Make(SERVICE_STOPPED, 0, NO_ERROR, 0, 0, 0)
        : Make(SERVICE_STOPPED, 0, ERROR_SERVICE_SPECIFIC_ERROR, unchecked((uint)exitCode), 0, 0));

    private static ServiceStatus Make(uint state, uint accepted, uint win32, uint specific, uint checkPoint, uint hint) => new()
    {
        ServiceType = SERVICE_WIN32_OWN_PROCESS,
        CurrentState = state,
        ControlsAccepted = accepted,
        Win32ExitCode = win32,
        ServiceSpecificExitCode = specific,
        CheckPoint = checkPoint,
        WaitHint = hint,
    };

    private ServiceStatus Set(ServiceStatus status)
    {
        Current = status;
        return status;
    }
}
