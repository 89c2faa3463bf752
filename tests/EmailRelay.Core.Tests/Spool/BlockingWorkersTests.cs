using EmailRelay.Spool;

namespace EmailRelay.Core.Tests.Spool;

public class BlockingWorkersTests
{
    [Fact]
    public async Task Blocking_actions_run_concurrently_so_their_syncs_can_share_a_journal_commit()
    {
        const int Count = 16;
        using var entered = new CountdownEvent(Count);
        using var release = new ManualResetEventSlim();
        Task[] tasks = [.. Enumerable.Range(0, Count).Select(_ => BlockingWorkers.Run(() =>
        {
            entered.Signal();
            Assert.True(release.Wait(TimeSpan.FromSeconds(60)));
        }))];

        // All of them are blocked at once: none waits for another to finish.
        Assert.True(await Task.Run(() => entered.Wait(TimeSpan.FromSeconds(60))));
        release.Set();
        await Task.WhenAll(tasks);
        Assert.InRange(BlockingWorkers.ThreadCount, Count, BlockingWorkers.MaxThreads);
    }

    [Fact]
    public async Task A_failing_action_faults_its_own_task_and_the_workers_keep_serving()
    {
        await Assert.ThrowsAsync<IOException>(() => BlockingWorkers.Run(() => throw new IOException("boom")));
        int ran = 0;
        await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => BlockingWorkers.Run(() => Interlocked.Increment(ref ran))));
        Assert.Equal(100, ran);
    }

    [Fact]
    public async Task Code_awaiting_RunContinuingHere_goes_on_on_the_worker_and_Run_hands_it_back()
    {
        using var release = new ManualResetEventSlim();
        Task<bool> here = IsWorkerAfterAsync(BlockingWorkers.RunContinuingHere(() => Assert.True(release.Wait(TimeSpan.FromSeconds(60)))));
        Task<bool> handedBack = IsWorkerAfterAsync(BlockingWorkers.Run(() => Assert.True(release.Wait(TimeSpan.FromSeconds(60)))));
        release.Set();
        Assert.True(await here);
        Assert.False(await handedBack);
        Assert.False(BlockingWorkers.IsWorkerThread);
    }

    [Fact]
    public async Task Awaiting_SwitchToWorker_always_goes_on_on_a_worker()
    {
        for (int i = 0; i < 20; i++)
        {
            Assert.True(await IsWorkerAfterSwitchAsync());
        }
    }

    private static async Task<bool> IsWorkerAfterSwitchAsync()
    {
        await BlockingWorkers.SwitchToWorker();
        return BlockingWorkers.IsWorkerThread;
    }

    private static async Task<bool> IsWorkerAfterAsync(Task work)
    {
        // Without xunit's synchronization context, as in the relay, which has none.
        await work.ConfigureAwait(false);
        return BlockingWorkers.IsWorkerThread;
    }
}
