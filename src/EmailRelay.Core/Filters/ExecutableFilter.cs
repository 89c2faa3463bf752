using System.Globalization;
using EmailRelay.Processes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using EmailRelay.Protocol.Filters;

namespace EmailRelay.Filters;

/// <summary>
/// An external filter program (reference §c, "External program invocation"): run by <see cref="ProcessRunner"/>
/// with the content path and the envelope path as its two arguments; its exit code read by the table of the
/// side it runs on; its stdout parsed for <c>&lt;&lt;response&gt;&gt;</c> / <c>[[reason]]</c> lines. A timeout is
/// fail with <c>error</c>/<c>timeout</c>; a program that cannot be executed fails the message (never lets it
/// through) with response <c>rejected</c> and the exec error as the reason.
/// </summary>
internal sealed class ExecutableFilter : IMessageFilter
{
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly string _baseName;

    /// <summary>Creates the filter.</summary>
    /// <param name="name">The spec text, for logs.</param>
    /// <param name="path">The resolved absolute program path.</param>
    /// <param name="timeout"><c>--filter-timeout</c>.</param>
    /// <param name="timeProvider">The clock for the timeout.</param>
    /// <param name="logger">For the <c>filter [x] failed: exit code N: [response]</c> warning.</param>
    public ExecutableFilter(string name, string path, TimeSpan timeout, TimeProvider timeProvider, ILogger? logger = null)
    {
        _logger = logger ?? NullLogger.Instance;
        _baseName = System.IO.Path.GetFileName(path);
        ArgumentNullException.ThrowIfNull(path);
        Name = name;
        Path = path;
        _timeout = timeout;
        _timeProvider = timeProvider;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The program that runs.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public async Task<FilterResult> RunAsync(FilterContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Message.Files is not { } files)
        {
            return new FilterResult(FilterOutcome.Fail, false, FilterOutput.DefaultResponse, 0, "no message files for a filter program");
        }

        Log.RunningProgram(_logger, context.Kind, _baseName, context.Id.Value, Path);
        var run = await ProcessRunner.RunAsync(Path, [files.ContentPath, files.EnvelopePath], _timeout, _timeProvider, cancellationToken);
        var result = ToResult(run, context.IsServerSide);
        if (run.Outcome == ProcessOutcome.Exited && result.Outcome == FilterOutcome.Fail)
        {
            Log.FilterFailedExitCode(_logger, _baseName, run.ExitCode.ToString(CultureInfo.InvariantCulture), result.Response);
        }

        return result;
    }

    /// <summary>The filter result for a program run (reference §c exit-code table).</summary>
    public static FilterResult ToResult(ProcessResult run, bool isServerSide)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.Outcome switch
        {
            ProcessOutcome.Exited => FilterExitCodes.ToResult(run.ExitCode, isServerSide, FilterOutputParser.Parse(run.Output)),
            ProcessOutcome.Signalled => FilterExitCodes.Signalled(FilterOutputParser.Parse(run.Output)),
            ProcessOutcome.TimedOut => FilterExitCodes.TimedOut,
            _ => new FilterResult(FilterOutcome.Fail, false, FilterOutput.DefaultResponse, 0, "filter exec error: " + run.Error),
        };
    }
}
