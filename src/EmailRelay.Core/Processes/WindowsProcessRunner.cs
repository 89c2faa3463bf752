using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace EmailRelay.Processes;

/// <summary>
/// <see cref="ProcessRunner"/> on Windows: the program is started by <see cref="WindowsCommandLine"/> (per extension),
/// suspended, put in a job object of its own, then resumed, so that everything it starts is in the job too. Its stdin and
/// stderr are <c>NUL</c>, its stdout a pipe of which the first <see cref="ProcessRunner.MaxOutputBytes"/> bytes (or as many as asked) are kept;
/// it inherits no other handle (the inheritable handles exist only inside one lock around <c>CreateProcessW</c>); it gets
/// no console window and the environment of <see cref="WindowsCommandLine.Environment"/>. A timeout or cancellation ends the whole job
/// (<c>TerminateJobObject</c>), the child and its children alike. The exit code is the program's (for a batch file, cmd's,
/// which is the batch file's <c>exit /b N</c>).
/// </summary>
[SupportedOSPlatform("windows")]
internal static class WindowsProcessRunner
{
    private static readonly Lock s_inheritLock = new();

    /// <summary>Runs the program; see <see cref="ProcessRunner.RunAsync"/>.</summary>
    public static async Task<ProcessResult> RunAsync(string path, IReadOnlyList<string> arguments, TimeSpan timeout, TimeProvider timeProvider, int maxOutputBytes, CancellationToken cancellationToken)
    {
        var command = WindowsCommandLine.For(path, arguments, System.Environment.SystemDirectory);
        if (command.Error.Length > 0)
        {
            return ProcessResult.ExecFailed(command.Error);
        }

        if (!File.Exists(path))
        {
            return ProcessResult.ExecFailed(Marshal.GetPInvokeErrorMessage(2)); // ERROR_FILE_NOT_FOUND, as CreateProcessW says for an .exe
        }

        var started = Start(command, out int error);
        if (started is not { } child)
        {
            return ProcessResult.ExecFailed(Marshal.GetPInvokeErrorMessage(error));
        }

        var reaper = Task.Factory.StartNew(() => Collect(child, maxOutputBytes), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            var result = timeout > TimeSpan.Zero
                ? await reaper.WaitAsync(timeout, timeProvider, cancellationToken)
                : await reaper.WaitAsync(cancellationToken);
            child.Dispose();
            return result;
        }
        catch (TimeoutException)
        {
            Terminate(child, reaper);
            return ProcessResult.TimedOut;
        }
        catch (OperationCanceledException)
        {
            Terminate(child, reaper);
            throw;
        }
    }

    // Ends the job (or, when the job could not be had, the process); the handles close once the reader has seen EOF.
    private static void Terminate(Child child, Task reaper)
    {
        _ = child.Job is { } job
            ? WindowsProcessNative.TerminateJobObject(job, WindowsProcessNative.TimedOutExitCode)
            : WindowsProcessNative.TerminateProcess(child.Process, WindowsProcessNative.TimedOutExitCode);
        _ = reaper.ContinueWith(_ => child.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    // On its own thread: reads stdout to EOF (every holder of the pipe's write end gone), then waits for the exit.
    private static ProcessResult Collect(Child child, int maxOutputBytes)
    {
        var kept = new byte[maxOutputBytes];
        int count = 0;
        var scratch = new byte[4096];
        try
        {
            using var stream = new FileStream(child.Output, FileAccess.Read, 0);
            int n;
            while ((n = stream.Read(scratch)) > 0)
            {
                int take = Math.Min(n, kept.Length - count);
                scratch.AsSpan(0, take).CopyTo(kept.AsSpan(count));
                count += take;
            }
        }
        catch (IOException)
        {
            // ERROR_BROKEN_PIPE is EOF; any other read error ends the output too, and the exit code still decides.
        }

        _ = WindowsProcessNative.WaitForSingleObject(child.Process, uint.MaxValue);
        var output = kept.AsSpan(0, count).ToArray();
        if (!WindowsProcessNative.GetExitCodeProcess(child.Process, out uint code))
        {
            return new ProcessResult(ProcessOutcome.ExecFailed, -1, 0, output, "cannot wait for child process");
        }

        return new ProcessResult(ProcessOutcome.Exited, unchecked((int)code), 0, output, "");
    }

    private static unsafe Child? Start(WindowsCommand command, out int error)
    {
        var block = new StringBuilder();
        var current = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (System.Collections.DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            current[(string)entry.Key] = (string?)entry.Value ?? "";
        }

        var systemRoot = current.TryGetValue("SystemRoot", out var root) ? root : Path.GetDirectoryName(System.Environment.SystemDirectory) ?? @"C:\Windows";
        foreach (var (name, value) in WindowsCommandLine.Environment(current, systemRoot))
        {
            block.Append(name).Append('=').Append(value).Append('\0');
        }

        block.Append('\0');
        var environment = block.ToString();
        var line = command.CommandLine + "\0"; // CreateProcessW may write to its command line
        var inherit = new WindowsProcessNative.SecurityAttributes { Length = (uint)sizeof(WindowsProcessNative.SecurityAttributes), InheritHandle = 1 };
        nint job = WindowsProcessNative.CreateJobObject(0, null);
        lock (s_inheritLock)
        {
            if (!WindowsProcessNative.CreatePipe(out nint readEnd, out nint writeEnd, &inherit, 0))
            {
                error = Marshal.GetLastPInvokeError();
                Close(job);
                return null;
            }

            _ = WindowsProcessNative.SetHandleInformation(readEnd, WindowsProcessNative.HANDLE_FLAG_INHERIT, 0);
            nint nul;
            fixed (char* name = "NUL")
            {
                nul = WindowsProcessNative.CreateFile(name, WindowsProcessNative.GENERIC_READ | WindowsProcessNative.GENERIC_WRITE, WindowsProcessNative.FILE_SHARE_READ | WindowsProcessNative.FILE_SHARE_WRITE, &inherit, WindowsProcessNative.OPEN_EXISTING, 0, 0);
            }

            var startup = new WindowsProcessNative.StartupInfo
            {
                Cb = (uint)sizeof(WindowsProcessNative.StartupInfo),
                Flags = WindowsProcessNative.STARTF_USESTDHANDLES,
                StdInput = nul,
                StdOutput = writeEnd,
                StdError = nul,
            };
            WindowsProcessNative.ProcessInformation information;
            bool created;
            fixed (char* application = command.Application)
            fixed (char* commandLine = line)
            fixed (char* env = environment)
            {
                created = WindowsProcessNative.CreateProcess(
                    application, commandLine, 0, 0, true,
                    WindowsProcessNative.CREATE_SUSPENDED | WindowsProcessNative.CREATE_NO_WINDOW | WindowsProcessNative.CREATE_UNICODE_ENVIRONMENT | WindowsProcessNative.CREATE_NEW_PROCESS_GROUP,
                    env, null, &startup, &information);
            }

            error = created ? 0 : Marshal.GetLastPInvokeError();
            Close(writeEnd);
            Close(nul);
            if (!created)
            {
                Close(readEnd);
                Close(job);
                return null;
            }

            var child = new Child(new SafeWaitHandle(information.Process, ownsHandle: true), job == 0 ? null : new SafeWaitHandle(job, ownsHandle: true), new SafeFileHandle(readEnd, ownsHandle: true));
            if (child.Job is not null && !WindowsProcessNative.AssignProcessToJobObject(child.Job, child.Process))
            {
                // A job that may not be nested: the timeout then ends the program alone.
                child.Job.Dispose();
                child = child with { Job = null };
            }

            _ = WindowsProcessNative.ResumeThread(information.Thread);
            Close(information.Thread);
            return child;
        }
    }

    private static void Close(nint handle)
    {
        if (handle != 0 && handle != -1)
        {
            _ = WindowsProcessNative.CloseHandle(handle);
        }
    }

    private sealed record Child(SafeWaitHandle Process, SafeWaitHandle? Job, SafeFileHandle Output) : IDisposable
    {
        public void Dispose()
        {
            Process.Dispose();
            Job?.Dispose();
            Output.Dispose();
        }
    }
}
