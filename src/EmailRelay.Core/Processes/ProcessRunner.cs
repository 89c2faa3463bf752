using System.Buffers;
using System.IO.Pipes;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace EmailRelay.Processes;

/// <summary>
/// Runs a filter or verifier program the way E-MailRelay does (reference §c, "External program invocation"):
/// <c>posix_spawn</c> of exactly the path with the given arguments and no shell; the environment is only
/// <c>PATH=/usr/bin:/bin</c> and <c>IFS=" \t\n"</c>; stdin is <c>/dev/null</c>, stdout a pipe of which the
/// first <see cref="MaxOutputBytes"/> bytes are kept, stderr <c>/dev/null</c>; every other descriptor is
/// closed; signal dispositions and mask are reset; the child leads its own process group. On timeout the
/// group gets SIGTERM and the result is <see cref="ProcessOutcome.TimedOut"/>. On Windows the program is run by
/// <see cref="WindowsProcessRunner"/> instead (per extension, in a job object that a timeout ends).
/// </summary>
/// <remarks>
/// Identity: when this process runs with real uid root and another effective uid (started as root, then
/// switched to <c>--user</c> with <c>seteuid</c>), the child must get real and effective ids of that user.
/// <c>posix_spawn</c> cannot set ids, so the child is started as <c>/usr/bin/setpriv --reuid=U --regid=G
/// --clear-groups -- path args...</c> (reset to root first with <c>POSIX_SPAWN_RESETIDS</c>); setpriv sets both
/// ids and execs the path directly, still with no shell. An exec failure is then setpriv's exit status 127
/// rather than an <see cref="ProcessOutcome.ExecFailed"/> result.
/// </remarks>
internal static class ProcessRunner
{
    /// <summary>How much stdout is kept (E-MailRelay compat).</summary>
    public const int MaxOutputBytes = 1024;

    /// <summary>The wrapper that sets real and effective ids (util-linux, always on Debian).</summary>
    public const string SetPrivPath = "/usr/bin/setpriv";

    private static readonly string[] s_environment = ["PATH=/usr/bin:/bin", "IFS= \t\n"];

    private static readonly int[] s_defaultSignals = [1, 2, 3, 10, 12, 13, 14, 15, 17, 25];

    /// <summary>Runs <paramref name="path"/> with <paramref name="arguments"/> as argv[1..n].</summary>
    /// <param name="path">The program; executed as is (never looked up on PATH, never given to a shell).</param>
    /// <param name="arguments">argv[1] onwards, each passed as one intact argument.</param>
    /// <param name="timeout">How long the program may run; <see cref="Timeout.InfiniteTimeSpan"/> or zero for no limit.</param>
    /// <param name="timeProvider">The clock for the timeout.</param>
    /// <param name="cancellationToken">Cancels the wait; the child's group then gets SIGTERM.</param>
    /// <param name="maxOutputBytes">How much stdout is kept: <see cref="MaxOutputBytes"/> for filters and verifiers (an OAuth token command needs more).</param>
    public static async Task<ProcessResult> RunAsync(string path, IReadOnlyList<string> arguments, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken,
        int maxOutputBytes = MaxOutputBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(timeProvider);
        cancellationToken.ThrowIfCancellationRequested();
        if (OperatingSystem.IsWindows())
        {
            return await WindowsProcessRunner.RunAsync(path, arguments, timeout, timeProvider, maxOutputBytes, cancellationToken);
        }

        int pid = Spawn(path, arguments, out int readFd, out int error);
        if (pid <= 0)
        {
            return ProcessResult.ExecFailed(Marshal.GetPInvokeErrorMessage(error));
        }

        var reaper = CollectAsync(pid, readFd, maxOutputBytes);
        try
        {
            return timeout > TimeSpan.Zero
                ? await reaper.WaitAsync(timeout, timeProvider, cancellationToken)
                : await reaper.WaitAsync(cancellationToken);
        }
        catch (TimeoutException)
        {
            Terminate(pid);
            return ProcessResult.TimedOut;
        }
        catch (OperationCanceledException)
        {
            Terminate(pid);
            throw;
        }
    }

    /// <summary>True when children must be given the effective ids as their real ids too (see remarks).</summary>
    public static bool NeedsIdentityWrapper => OperatingSystem.IsLinux() && ProcessNative.GetUid() == 0 && ProcessNative.GetEuid() != 0;

    private static void Terminate(int pid)
    {
        _ = ProcessNative.Kill(-pid, ProcessNative.SIGTERM);
    }

    // Reads the child's stdout asynchronously (the pipe is polled by the runtime's socket engine, so no thread
    // waits on it), then reaps the child. The reap is normally immediate: a child's stdout reaches EOF as it
    // exits. Only a child that closed its stdout and kept running is waited for on a dedicated thread.
    private static async Task<ProcessResult> CollectAsync(int pid, int readFd, int maxOutputBytes)
    {
        var kept = new byte[maxOutputBytes];
        int count = 0;
        var scratch = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            await using var pipe = new AnonymousPipeClientStream(PipeDirection.In, new SafePipeHandle(readFd, ownsHandle: true));
            int n;
            while ((n = await pipe.ReadAsync(scratch.AsMemory(0, 4096))) > 0)
            {
                int take = Math.Min(n, maxOutputBytes - count);
                if (take > 0)
                {
                    scratch.AsSpan(0, take).CopyTo(kept.AsSpan(count));
                    count += take;
                }
            }
        }
        catch (IOException)
        {
            // A read error ends the output like EOF; the exit status still decides.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }

        int rc = Reap(pid, ProcessNative.WNOHANG, out int status);
        if (rc == 0)
        {
            (rc, status) = await Task.Factory.StartNew(
                () => (Reap(pid, 0, out int s), s), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        var output = kept.AsSpan(0, count).ToArray();
        if (rc < 0)
        {
            return new ProcessResult(ProcessOutcome.ExecFailed, -1, 0, output, "cannot wait for child process");
        }

        int termSignal = status & 0x7f;
        return termSignal == 0
            ? new ProcessResult(ProcessOutcome.Exited, (status >> 8) & 0xff, 0, output, "")
            : new ProcessResult(ProcessOutcome.Signalled, -1, termSignal, output, "");
    }

    // waitpid with EINTR retried: the pid, 0 (WNOHANG and still running) or -1.
    private static unsafe int Reap(int pid, int options, out int status)
    {
        int value = 0;
        int rc;
        do
        {
            rc = ProcessNative.WaitPid(pid, &value, options);
        }
        while (rc < 0 && Marshal.GetLastPInvokeError() == ProcessNative.EINTR);

        status = value;
        return rc;
    }

    // Returns the child's pid, or -1 with error set to an errno value.
    private static unsafe int Spawn(string path, IReadOnlyList<string> arguments, out int readFd, out int error)
    {
        readFd = -1;
        var argv = new List<string>(arguments.Count + 6);
        var executable = path;
        short flags = ProcessNative.POSIX_SPAWN_SETPGROUP | ProcessNative.POSIX_SPAWN_SETSIGDEF | ProcessNative.POSIX_SPAWN_SETSIGMASK;
        if (NeedsIdentityWrapper)
        {
            var inv = System.Globalization.CultureInfo.InvariantCulture;
            executable = SetPrivPath;
            argv.Add(SetPrivPath);
            argv.Add("--reuid=" + ProcessNative.GetEuid().ToString(inv));
            argv.Add("--regid=" + ProcessNative.GetEgid().ToString(inv));
            argv.Add("--clear-groups");
            argv.Add("--");
            flags |= ProcessNative.POSIX_SPAWN_RESETIDS;
        }

        argv.Add(path);
        argv.AddRange(arguments);

        int* fds = stackalloc int[2];
        if (ProcessNative.Pipe2(fds, ProcessNative.O_CLOEXEC) != 0)
        {
            error = Marshal.GetLastPInvokeError();
            return -1;
        }

        var strings = new List<nint>();
        byte* attr = stackalloc byte[ProcessNative.AttrSize];
        byte* actions = stackalloc byte[ProcessNative.FileActionsSize];
        byte* defaults = stackalloc byte[ProcessNative.SigSetSize];
        byte* mask = stackalloc byte[ProcessNative.SigSetSize];
        nint Utf8(string s)
        {
            var p = Marshal.StringToCoTaskMemUTF8(s);
            strings.Add(p);
            return p;
        }

        _ = ProcessNative.AttrInit(attr);
        _ = ProcessNative.FileActionsInit(actions);
        try
        {
            var argvPtr = stackalloc byte*[argv.Count + 1];
            for (int i = 0; i < argv.Count; i++)
            {
                argvPtr[i] = (byte*)Utf8(argv[i]);
            }

            argvPtr[argv.Count] = null;
            var envPtr = stackalloc byte*[s_environment.Length + 1];
            for (int i = 0; i < s_environment.Length; i++)
            {
                envPtr[i] = (byte*)Utf8(s_environment[i]);
            }

            envPtr[s_environment.Length] = null;
            _ = ProcessNative.SigEmptySet(defaults);
            foreach (var signal in s_defaultSignals)
            {
                _ = ProcessNative.SigAddSet(defaults, signal);
            }

            _ = ProcessNative.SigEmptySet(mask);
            _ = ProcessNative.AttrSetFlags(attr, flags);
            _ = ProcessNative.AttrSetPgroup(attr, 0);
            _ = ProcessNative.AttrSetSigDefault(attr, defaults);
            _ = ProcessNative.AttrSetSigMask(attr, mask);
            var devNull = (byte*)Utf8("/dev/null");
            _ = ProcessNative.FileActionsAddOpen(actions, 0, devNull, ProcessNative.O_RDONLY, 0);
            _ = ProcessNative.FileActionsAddDup2(actions, fds[1], 1);
            _ = ProcessNative.FileActionsAddOpen(actions, 2, devNull, 1 /* O_WRONLY */, 0);
            _ = ProcessNative.FileActionsAddCloseFrom(actions, 3);
            int pid;
            error = ProcessNative.PosixSpawn(&pid, (byte*)Utf8(executable), actions, attr, argvPtr, envPtr);
            _ = ProcessNative.Close(fds[1]);
            if (error != 0)
            {
                _ = ProcessNative.Close(fds[0]);
                return -1;
            }

            readFd = fds[0];
            return pid;
        }
        finally
        {
            _ = ProcessNative.FileActionsDestroy(actions);
            _ = ProcessNative.AttrDestroy(attr);
            foreach (var p in strings)
            {
                Marshal.FreeCoTaskMem(p);
            }
        }
    }
}
