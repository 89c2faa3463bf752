namespace EmailRelay.Spool;

/// <summary>
/// Long-lived background threads for the spool's blocking, fsync-bound work. An fsync takes
/// milliseconds of waiting and no CPU: on thread-pool threads it would starve the pool (which grows
/// slowly) and cap how many syncs run at once; on a new thread per call (the first design) it cost a
/// thread creation per fsync, three per message (measured with strace: 600 <c>clone3</c> for 200
/// messages). Here a thread is created only when every existing one is busy, up to
/// <see cref="MaxThreads"/>, and then lives for the process (they are background threads with small
/// stacks, so an idle one costs little). Many concurrent fsyncs is what lets the filesystem put them
/// in one journal commit (ext4/jbd2 group commit), so the cap is generous.
/// <see cref="RunContinuingHere"/> lets the awaiting code go on on the worker that finished, instead of waking a
/// pool thread for it: on a 2-vCPU VM each such wake-up costs tens of microseconds of a message's latency.
/// </summary>
internal static class BlockingWorkers
{
    /// <summary>The most threads ever started; more work than this waits in the queue.</summary>
    public const int MaxThreads = 64;

    private const int StackSize = 256 * 1024;

    private static readonly object s_gate = new();
    private static readonly Queue<WorkItem> s_queue = new();
    private static int s_threads;
    private static int s_idle;

    [ThreadStatic]
    private static bool s_isWorker;

    /// <summary>How many worker threads have been started (for tests and measurements).</summary>
    public static int ThreadCount => Volatile.Read(ref s_threads);

    /// <summary>Whether the calling thread is one of these workers (where blocking on a sync is what it is for).</summary>
    public static bool IsWorkerThread => s_isWorker;

    /// <summary>Runs <paramref name="action"/> on a worker thread; the task completes (asynchronously) when it has run.</summary>
    public static Task Run(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return Enqueue(new WorkItem(action, TaskCreationOptions.RunContinuationsAsynchronously));
    }

    /// <summary>
    /// Runs <paramref name="action"/> on a worker thread; code awaiting the task continues on that worker when it has run
    /// (with <see cref="Task.WhenAll(Task[])"/>, on the worker that finished last). For the new-message path, whose
    /// next step (the commit rename and the directory sync) is blocking work of the same kind. The caller's
    /// continuation must not block on anything but the file system: it holds the worker until its next await.
    /// </summary>
    public static Task RunContinuingHere(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return Enqueue(new WorkItem(action, TaskCreationOptions.None));
    }

    /// <summary>
    /// Awaiting this continues on a worker thread, always (it never completes synchronously): for file-system work that
    /// should leave the caller's thread without queueing behind the thread pool's other work.
    /// </summary>
    public static WorkerSwitch SwitchToWorker() => default;

    private static Task Enqueue(WorkItem item)
    {
        bool start = false;
        lock (s_gate)
        {
            s_queue.Enqueue(item);
            if (s_idle > 0)
            {
                // The waker claims one idle thread, so two quick calls never count the same one twice.
                s_idle--;
                Monitor.Pulse(s_gate);
            }
            else if (s_threads < MaxThreads)
            {
                s_threads++;
                start = true;
            }
        }

        if (start)
        {
            var thread = new Thread(Loop, StackSize) { IsBackground = true, Name = "spool sync" };
            thread.Start();
        }

        return item.Task;
    }

    private static void Loop()
    {
        s_isWorker = true;
        while (true)
        {
            WorkItem item;
            lock (s_gate)
            {
                while (s_queue.Count == 0)
                {
                    s_idle++;
                    Monitor.Wait(s_gate);
                }

                item = s_queue.Dequeue();
            }

            item.Execute();
        }
    }

    /// <summary>The awaitable of <see cref="SwitchToWorker"/>: its continuation is queued as a work item.</summary>
    internal readonly struct WorkerSwitch : System.Runtime.CompilerServices.INotifyCompletion
    {
        /// <summary>Never: the continuation always goes to a worker.</summary>
        public bool IsCompleted => false;

        /// <summary>The awaiter (this).</summary>
        public WorkerSwitch GetAwaiter() => this;

        /// <summary>Queues <paramref name="continuation"/> to a worker.</summary>
        public void OnCompleted(Action continuation) => Enqueue(new WorkItem(continuation, TaskCreationOptions.None));

        /// <summary>Nothing to return.</summary>
        public void GetResult()
        {
        }
    }

    private sealed class WorkItem(Action action, TaskCreationOptions options) : TaskCompletionSource(options)
    {
        public void Execute()
        {
            try
            {
                action();
                SetResult();
            }
#pragma warning disable CA1031 // The exception belongs to the caller, who awaits the task; the worker must survive.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                SetException(exception);
            }
        }
    }
}
