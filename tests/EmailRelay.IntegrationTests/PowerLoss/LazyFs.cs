using System.Diagnostics;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.PowerLoss;

/// <summary>
/// A LazyFS mount (<c>../shared/tools/lazyfs</c>, the FUSE file system Jepsen uses): writes stay in LazyFS's cache
/// until they are fsync'd, and <see cref="PowerCutAsync"/> drops everything not synced, as a power cut does.
/// Namespace operations (create, rename, unlink) go straight to the directory underneath, so it finds missing file
/// syncs, not missing directory syncs (DirectorySyncOrderTests covers those). Needs root, <c>/dev/fuse</c>
/// and Debian's <c>fuse3</c>; <see cref="Unavailable"/> says what is missing.
/// </summary>
internal sealed class LazyFs : IAsyncDisposable
{
    private readonly TestDirectory _directory;
    private readonly Process _process;

    private LazyFs(TestDirectory directory, Process process)
    {
        _directory = directory;
        _process = process;
    }

    /// <summary>The mounted directory.</summary>
    public string Mount => Path.Combine(_directory.Path, "mnt");

    /// <summary>An empty spool directory on the mount, made when it is mounted.</summary>
    public string Spool => Path.Combine(Mount, "spool");

    private string Faults => Path.Combine(_directory.Path, "faults.fifo");

    private string Done => Path.Combine(_directory.Path, "done.fifo");

    /// <summary>The LazyFS directory: <c>../shared/tools/lazyfs</c> beside the repository, or null.</summary>
    public static string? ToolDirectory
    {
        get
        {
            var tool = RepositoryRoot.Find() is { } root ? Path.GetFullPath(Path.Combine(root, "..", "shared", "tools", "lazyfs")) : null;
            return tool is not null && File.Exists(Path.Combine(tool, "lazyfs")) ? tool : null;
        }
    }

    /// <summary>Why LazyFS cannot run here, or null when it can.</summary>
    public static string? Unavailable =>
        !OperatingSystem.IsLinux() ? "LazyFS needs Linux"
        : Environment.UserName != "root" ? "LazyFS needs root (a FUSE mount with allow_other)"
        : !File.Exists("/dev/fuse") ? "LazyFS needs /dev/fuse"
        : !File.Exists("/usr/bin/fusermount3") ? "LazyFS needs Debian's fuse3 (fusermount3)"
        : ToolDirectory is null ? "LazyFS is not at ../shared/tools/lazyfs"
        : null;

    /// <summary>Mounts a new, empty LazyFS; a mount that fails is tried again twice, and the third failure says why.</summary>
    public static async Task<LazyFs> MountAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryMountAsync();
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // Seen once in a full parallel run: lazyfs exited at start-up. Its output is in the third failure.
            }
        }
    }

    private static async Task<LazyFs> TryMountAsync()
    {
        var directory = new TestDirectory();
        var root = Path.Combine(directory.Path, "root");
        var mount = Path.Combine(directory.Path, "mnt");
        Directory.CreateDirectory(root);
        Directory.CreateDirectory(mount);
        foreach (var fifo in new[] { "faults.fifo", "done.fifo" })
        {
            await RunAsync("mkfifo", Path.Combine(directory.Path, fifo));
        }

        var config = Path.Combine(directory.Path, "lazyfs.toml");
        await File.WriteAllTextAsync(config, $"""
            [faults]
            fifo_path="{Path.Combine(directory.Path, "faults.fifo")}"
            fifo_path_completed="{Path.Combine(directory.Path, "done.fifo")}"
            [cache]
            apply_eviction=false
            [cache.simple]
            custom_size="256mb"
            blocks_per_page=1
            [filesystem]
            log_all_operations=false
            logfile=""
            """);
        var tool = ToolDirectory ?? throw new InvalidOperationException(Unavailable);
        var start = new ProcessStartInfo(Path.Combine(tool, "lazyfs"))
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { mount, "--config-path", config, "-o", "allow_other", "-o", "modules=subdir", "-o", "subdir=" + root, "-f" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["LD_LIBRARY_PATH"] = tool;
        var process = Process.Start(start) ?? throw new InvalidOperationException("lazyfs did not start");
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => log.Enqueue(e.Data ?? "");
        process.ErrorDataReceived += (_, e) => log.Enqueue(e.Data ?? "");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var lazyFs = new LazyFs(directory, process);
        if (!await Poll.TryUntilAsync(() => IsMounted(mount) || process.HasExited, Waiting.DefaultTimeout) || process.HasExited)
        {
            await lazyFs.DisposeAsync();
            throw new InvalidOperationException("lazyfs did not mount " + mount + ":\n" + string.Join("\n", log));
        }

        Directory.CreateDirectory(lazyFs.Spool);
        return lazyFs;
    }

    /// <summary>The power cut: drops every write not yet fsync'd, and returns when LazyFS says it is done.</summary>
    public async Task PowerCutAsync()
    {
        // LazyFS drops its completion line when nobody is reading, so the completion FIFO is open before the command is
        // sent: read-write, which on Linux opens a FIFO at once. Opening the command FIFO blocks until LazyFS has it open.
        await using var done = new FileStream(Done, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0);
        await Task.Run(() => File.WriteAllText(Faults, "lazyfs::clear-cache\n")).WaitAsync(Waiting.DefaultTimeout);
        var buffer = new byte[256];
        var read = await Task.Run(() => done.Read(buffer)).WaitAsync(Waiting.DefaultTimeout);
        var reply = System.Text.Encoding.ASCII.GetString(buffer, 0, read);
        if (!reply.Contains("clear-cache", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("lazyfs answered [" + reply.Trim() + "] to clear-cache");
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (IsMounted(Mount))
        {
            await RunAsync("fusermount3", "-u", "-z", Mount);
        }

        if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
        _directory.Dispose();
    }

    private static bool IsMounted(string path)
    {
        var full = Path.GetFullPath(path);
        return File.ReadLines("/proc/self/mounts").Any(line => line.Split(' ') is [_, var point, ..] && point == full);
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        await using var process = ToolProcess.Start(program, arguments);
        var exit = await process.WaitForExitAsync(Waiting.DefaultTimeout);
        if (exit != 0)
        {
            throw new InvalidOperationException(program + " failed: " + process.StandardError);
        }
    }
}
