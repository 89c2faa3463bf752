namespace EmailRelay.Spool;

/// <summary>
/// Group commit for one directory: <see cref="SyncAsync"/> completes after a directory fsync that
/// started after the call, so every rename done before the call is durable. Concurrent callers
/// share one fsync: while a sync runs, new callers join the next one (one batch per fsync), so
/// throughput grows with concurrency. The fsync runs on a <see cref="BlockingWorkers"/> thread, never a pool thread:
/// a caller that is itself a worker (the new-message path continues on the worker that synced its files) and finds
/// no sync running does this one itself and gets a completed task, which spares the hand-off to another worker and
/// the wake-up of a pool thread for the reply (on a 2-vCPU VM, tens of microseconds each); callers that arrive
/// meanwhile form the next batch, run by a worker as before.
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
            if (!_running && BlockingWorkers.IsWorkerThread)
            {
                _running = true;
            }
            else
            {
                return Join();
            }
        }

        return SyncHere();
    }

    /// <summary>Joins the pending batch, starting a worker for it if none runs. Called under the gate.</summary>
    private Task Join()
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

    /// <summary>One sync on the calling worker, as a batch of one; then hands any batch that formed meanwhile to a worker.</summary>
    private Task SyncHere()
    {
        Exception? failure = null;
        try
        {
            _sync(_directory);
            SyncCount++;
        }
        catch (Exception exception)
        {
            // The caller's task carries it, as a batch's waiters get theirs.
            failure = exception;
        }
        finally
        {
            lock (_gate)
            {
                if (_pending is null)
                {
                    _running = false;
                }
                else
                {
                    _ = BlockingWorkers.Run(RunBatches);
                }
            }
        }

        return failure is null ? Task.CompletedTask : Task.FromException(failure);
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
