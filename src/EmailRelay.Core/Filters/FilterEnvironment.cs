using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EmailRelay.Filters;

/// <summary>What the filter and verifier factories need besides the spec: the settings of the unit.</summary>
internal sealed record FilterEnvironment
{
    /// <summary>The default <c>--filter-timeout</c>.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The clock for timeouts and <c>sleepms:</c>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary><c>--filter-timeout</c>: the limit for programs, and the connect and response timeouts of <c>net:</c>.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>What <c>@app</c> in a program path stands for: the directory of the executable.</summary>
    public string AppDirectory { get; init; } = Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory);

    /// <summary>The directory relative program paths are relative to: the startup directory.</summary>
    public string StartupDirectory { get; init; } = Environment.CurrentDirectory;

    /// <summary><c>--delivery-dir</c>: the base of the <c>deliver:</c> filter's mailboxes; empty means the spool directory.</summary>
    public string DeliveryDirectory { get; init; } = "";

    /// <summary><c>--domain</c>, for <c>msgid:</c>.</summary>
    public string Domain { get; init; } = "localhost";

    /// <summary>The spool directory (for <c>copy:</c>, <c>split:</c> and <c>deliver:</c>); empty if none.</summary>
    public string SpoolDirectory { get; init; } = "";

    /// <summary>Where startup warnings (missing programs) and filter log lines go.</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;

    /// <summary>
    /// Resolves a program path: a leading <c>@app</c> becomes <see cref="AppDirectory"/>, and a relative path is
    /// made relative to <see cref="StartupDirectory"/>.
    /// </summary>
    public string ResolveProgram(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.StartsWith("@app", StringComparison.Ordinal))
        {
            path = string.Concat(AppDirectory, path.AsSpan(4));
        }

        return Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(StartupDirectory, path));
    }

    /// <summary>Resolves a program path and logs the startup warnings for it (missing, or a directory).</summary>
    public string ResolveAndCheckProgram(string path)
    {
        var resolved = ResolveProgram(path);
        if (Directory.Exists(resolved))
        {
            Log.InvalidProgram(Logger, resolved);
        }
        else if (!File.Exists(resolved))
        {
            Log.MissingProgram(Logger, resolved);
        }

        return resolved;
    }
}
