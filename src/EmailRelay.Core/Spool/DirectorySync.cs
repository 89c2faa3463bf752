namespace EmailRelay.Spool;

/// <summary>
/// Group commit for one directory: <see cref="SyncAsync"/> completes after a directory fsync that
/// started after the call, so every rename done before the call is durable. Concurrent callers
/// share one fsync: while a sync runs, new callers join the next one (one batch per fsync), so
/// throughput grows with concurrency. The fsync runs on a <see cref="BlockingWorkers"/> thread, never the caller's nor a pool thread.
/// </summary>
internal sealed class DirectorySync
{
    private readonly string _directory;
    private readonly Action<string> _sync;
    private readonly Lock _gate = new();
    private TaskCompletionSource? _pending;
    private bool _running;

    /// <summary>Creates the committer. <paramref name="sync"/> is the fsync (a seam for tests).</summary>
    public DirectorySync(string directory, Action<string>? sync = null)
    {
        _directory = directory;
        _sync = sync ?? SpoolNative.SyncDirectory;
    }

    /// <summary>How many directory fsyncs have been done (for tests and metrics).</summary>
    public long SyncCount { get; private set; }

    /// <summary>Completes after a directory sync that began after this call; faults if that sync failed.</summary>
    public Task SyncAsync()
    {
        lock (_gate)
        {
            _pending ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Task task = _pending.Task;
            if (!_running)
            {
                _running = true;
                _ = BlockingWorkers.Run(RunBatches);
            }

            return task;
        }
    }

    private void RunBatches()
    {
        while (true)
        {
            TaskCompletionSource? batch;
            lock (_gate)
            {
                batch = _pending;
                _pending = null;
                if (batch is null)
                {
                    _running = false;
                    return;
                }
            }

            try
            {
                _sync(_directory);
                SyncCount++;
                batch.SetResult();
            }
            catch (Exception exception)
            {
                // Every waiter of this batch sees the failure; the loop must survive to serve the next batch.
                batch.SetException(exception);
            }
        }
    }
}
