using EmailRelay.Spool;

namespace EmailRelay.Core.Tests.Spool;

public class DirectorySyncTests
{
    [Fact]
    public async Task Callers_that_arrive_during_a_sync_share_the_next_one()
    {
        using var entered = new SemaphoreSlim(0);
        using var release = new SemaphoreSlim(0);
        int calls = 0;
        var sync = new DirectorySync("/nowhere", _ =>
        {
            Interlocked.Increment(ref calls);
            entered.Release();
            Assert.True(release.Wait(TimeSpan.FromSeconds(30)));
        });

        Task first = sync.SyncAsync();
        Assert.True(await entered.WaitAsync(TimeSpan.FromSeconds(30)));
        Task[] batch = [.. Enumerable.Range(0, 20).Select(_ => sync.SyncAsync())];
        Assert.False(first.IsCompleted);
        release.Release();
        await first;
        Assert.True(await entered.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.All(batch, task => Assert.False(task.IsCompleted));
        release.Release();
        await Task.WhenAll(batch);
        Assert.Equal(2, calls);
        Assert.Equal(2, sync.SyncCount);
    }

    [Fact]
    public async Task A_failed_sync_faults_its_batch_and_the_next_sync_runs()
    {
        var sync = new DirectorySync("/nowhere", new FailsOnce().Sync);
        await Assert.ThrowsAsync<IOException>(() => sync.SyncAsync());
        await sync.SyncAsync();
    }

    [Fact]
    public async Task A_real_directory_can_be_synced()
    {
        using var directory = new EmailRelay.Testing.TestDirectory();
        var sync = new DirectorySync(directory.Path);
        await sync.SyncAsync();
        Assert.Equal(1, sync.SyncCount);
    }

    [Fact]
    public async Task A_worker_finding_no_sync_running_syncs_itself_and_gets_a_completed_task()
    {
        int syncThread = 0;
        var sync = new DirectorySync("/nowhere", _ => syncThread = Environment.CurrentManagedThreadId);
        int workerThread = 0;
        bool completed = false;
        await BlockingWorkers.Run(() =>
        {
            workerThread = Environment.CurrentManagedThreadId;
            completed = sync.SyncAsync().IsCompletedSuccessfully;
        });
        Assert.True(completed);
        Assert.Equal(workerThread, syncThread);
        Assert.Equal(1, sync.SyncCount);
    }

    [Fact]
    public async Task A_failed_sync_on_the_calling_worker_faults_its_task_and_the_next_sync_runs()
    {
        var fails = new FailsOnce();
        var sync = new DirectorySync("/nowhere", fails.Sync);
        Task? failed = null;
        await BlockingWorkers.Run(() => failed = sync.SyncAsync());
        await Assert.ThrowsAsync<IOException>(() => failed!);
        await sync.SyncAsync();
        Assert.Equal(2, fails.Calls);
    }

    [Fact]
    public async Task Callers_arriving_while_a_worker_syncs_itself_share_the_next_sync_run_by_another_worker()
    {
        using var entered = new SemaphoreSlim(0);
        using var release = new SemaphoreSlim(0);
        int calls = 0;
        var sync = new DirectorySync("/nowhere", _ =>
        {
            Interlocked.Increment(ref calls);
            entered.Release();
            Assert.True(release.Wait(TimeSpan.FromSeconds(30)));
        });

        Task leader = BlockingWorkers.Run(() => Assert.True(sync.SyncAsync().IsCompletedSuccessfully));
        Assert.True(await entered.WaitAsync(TimeSpan.FromSeconds(30)));
        Task[] batch = [.. Enumerable.Range(0, 5).Select(_ => sync.SyncAsync())];
        release.Release();
        await leader;
        Assert.True(await entered.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.All(batch, task => Assert.False(task.IsCompleted));
        release.Release();
        await Task.WhenAll(batch);
        Assert.Equal(2, calls);
    }

    /// <summary>A directory sync that throws the first time it is called, and counts its calls.</summary>
    private sealed class FailsOnce
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public void Sync(string directory)
        {
            if (Interlocked.Increment(ref _calls) == 1)
            {
                throw new IOException("boom");
            }
        }
    }
}
