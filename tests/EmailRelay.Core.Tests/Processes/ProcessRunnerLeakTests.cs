using EmailRelay.Processes;

namespace EmailRelay.Core.Tests.Processes;

/// <summary>
/// Counts the whole test process's descriptors and zombie children, so it runs alone (<see cref="SerialCollection"/>):
/// alongside other tests their sockets and child processes would be counted too.
/// </summary>
[Collection(SerialCollection.Name)]
public class ProcessRunnerLeakTests
{
    [Fact]
    public async Task Two_hundred_sequential_runs_leave_no_descriptor_or_zombie_behind()
    {
        var before = Directory.GetFiles("/proc/self/fd").Length;
        for (int i = 0; i < 200; i++)
        {
            var result = await ProcessRunner.RunAsync("/bin/true", [], TimeSpan.FromSeconds(30), TimeProvider.System, CancellationToken.None);
            Assert.Equal((ProcessOutcome.Exited, 0), (result.Outcome, result.ExitCode));
        }

        Assert.InRange(Directory.GetFiles("/proc/self/fd").Length, 0, before + 5);
        var zombies = Directory.GetDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _))
            .Select(d => { try { return File.ReadAllText(Path.Combine(d, "stat")); } catch (IOException) { return ""; } })
            .Count(stat => stat.Contains(" Z ", StringComparison.Ordinal) && stat.Split(' ').Length > 3 && stat.Split(' ')[3] == Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0, zombies);
    }
}
