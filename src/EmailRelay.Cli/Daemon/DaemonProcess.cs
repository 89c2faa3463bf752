using System.Diagnostics;

namespace EmailRelay.Cli.Daemon;

/// <summary>
/// Running in the background without <c>fork()</c>. The parent re-executes the same program with the same
/// arguments and <see cref="ChildMarker"/> set in the environment, reading the child's stdout through a pipe.
/// The child calls <c>setsid()</c> (<see cref="BecomeSessionLeader"/>), binds its listeners, writes the pid file,
/// then calls <see cref="SignalReady"/>, which writes <see cref="ReadyLine"/> and detaches stdout. The parent exits 0
/// on that line; if the child exits first, the parent exits with the child's exit code (the child has already
/// printed its error on the shared stderr). Calling sequence: parent → <see cref="RunParentAsync"/>;
/// child → <see cref="IsChild"/>, <see cref="BecomeSessionLeader"/>, <see cref="SignalReady"/>, <see cref="DetachStderr"/>.
/// </summary>
internal static class DaemonProcess
{
    /// <summary>The environment variable that marks the re-executed child.</summary>
    public const string ChildMarker = "EMAILRELAY_DAEMON_CHILD";

    /// <summary>The line the child writes to stdout once it serves.</summary>
    public const string ReadyLine = "emailrelay: ready";

    /// <summary>True in the re-executed background child.</summary>
    public static bool IsChild => string.Equals(Environment.GetEnvironmentVariable(ChildMarker), "1", StringComparison.Ordinal);

    /// <summary>Starts the child and waits for its readiness or its exit; returns the parent's exit code.</summary>
    public static async Task<int> RunParentAsync(IReadOnlyList<string> arguments, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(stderr);
        var start = CreateStartInfo(arguments);
        using var child = Process.Start(start);
        if (child is null)
        {
            await stderr.WriteLineAsync("emailrelay: error: cannot start the background process");
            return 1;
        }

        child.StandardInput.Close();
        while (await child.StandardOutput.ReadLineAsync() is { } line)
        {
            if (string.Equals(line, ReadyLine, StringComparison.Ordinal))
            {
                return 0;
            }
        }

        await child.WaitForExitAsync();
        return child.ExitCode == 0 ? 0 : child.ExitCode;
    }

    /// <summary>The start information for re-executing this program (apphost, or <c>dotnet emailrelay.dll</c>).</summary>
    public static ProcessStartInfo CreateStartInfo(IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var processPath = Environment.ProcessPath ?? throw new InvalidOperationException("cannot find the executable");
        var start = new ProcessStartInfo(processPath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            RedirectStandardError = false,
            WorkingDirectory = Environment.CurrentDirectory,
        };
        var host = Path.GetFileNameWithoutExtension(processPath);
        if (string.Equals(host, "dotnet", StringComparison.Ordinal))
        {
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "emailrelay.dll"));
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment[ChildMarker] = "1";
        return start;
    }

    /// <summary>Child: leaves the parent's session and process group, so the terminal's signals do not reach it.</summary>
    public static void BecomeSessionLeader()
    {
        if (OperatingSystem.IsLinux())
        {
            _ = NativeMethods.SetSid();
            NativeMethods.RedirectToDevNull(0);
        }
    }

    /// <summary>Child: tells the parent it serves, then points stdout at <c>/dev/null</c> so the parent's pipe closes.</summary>
    public static void SignalReady()
    {
        Console.Out.WriteLine(ReadyLine);
        Console.Out.Flush();
        if (OperatingSystem.IsLinux())
        {
            NativeMethods.RedirectToDevNull(1);
        }
    }

    /// <summary>Closes stderr for real (<c>--close-stderr</c>): points descriptor 2 at <c>/dev/null</c>.</summary>
    public static void DetachStderr()
    {
        if (OperatingSystem.IsLinux())
        {
            NativeMethods.RedirectToDevNull(2);
        }
    }
}
