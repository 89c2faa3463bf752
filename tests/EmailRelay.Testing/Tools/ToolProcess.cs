using System.Diagnostics;
using System.Text;

namespace EmailRelay.Testing.Tools;

/// <summary>
/// An external program started for a test: exact arguments (no shell), stdout and stderr captured
/// as they arrive, a deadline on every wait, and the whole process tree killed on dispose.
/// </summary>
public sealed class ToolProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _lock = new();
    private Task _pumps = Task.CompletedTask;

    private ToolProcess(Process process)
    {
        _process = process;
    }

    /// <summary>The program and arguments, for failure messages.</summary>
    public string CommandLine => string.Join(' ', [_process.StartInfo.FileName, .. _process.StartInfo.ArgumentList]);

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>True once the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The exit code; only valid after <see cref="HasExited"/>.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Everything read from stdout so far.</summary>
    public string StandardOutput
    {
        get
        {
            lock (_lock)
            {
                return _stdout.ToString();
            }
        }
    }

    /// <summary>Everything read from stderr so far.</summary>
    public string StandardError
    {
        get
        {
            lock (_lock)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts <paramref name="fileName"/> with <paramref name="arguments"/>; stdin is a pipe the caller may write to.</summary>
    public static ToolProcess Start(string fileName, IEnumerable<string> arguments, string? standardInput = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var info = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info };
        var tool = new ToolProcess(process);
        process.Start();
        tool._pumps = Task.WhenAll(
            tool.PumpAsync(process.StandardOutput, tool._stdout),
            tool.PumpAsync(process.StandardError, tool._stderr));
        if (standardInput is not null)
        {
            process.StandardInput.Write(standardInput);
            process.StandardInput.Close();
        }

        return tool;
    }

    /// <summary>Closes the program's stdin (EOF).</summary>
    public void CloseStandardInput() => _process.StandardInput.Close();

    /// <summary>Waits for the exit, at most <paramref name="timeout"/>; on timeout the tree is killed and <see cref="TimeoutException"/> thrown.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await _pumps.WaitAsync(cts.Token); // the output is complete once both pipes reach EOF
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"{CommandLine} did not exit within {timeout}; stdout: {StandardOutput} stderr: {StandardError}");
        }

        return _process.ExitCode;
    }

    /// <summary>Kills the whole process tree (no-op if it has exited).</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Kill();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                // Reaping is best effort; the kill has been sent.
            }
        }

        _process.Dispose();
    }

    private async Task PumpAsync(StreamReader reader, StringBuilder target)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (_lock)
            {
                target.Append(buffer, 0, read);
            }
        }
    }
}
