using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Tools;

public class ToolProcessTests
{
    [Fact]
    public async Task Output_and_exit_code_are_captured_completely()
    {
        await using var process = ToolProcess.Start("/bin/sh", ["-c", "i=0; while [ $i -lt 2000 ]; do echo line$i; i=$((i+1)); done; echo oops >&2; exit 3"]);
        Assert.Equal(3, await process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("line1999\n", process.StandardOutput);
        Assert.Equal("oops\n", process.StandardError);
    }

    [Fact]
    public async Task Standard_input_is_passed_then_closed()
    {
        await using var process = ToolProcess.Start("/bin/cat", [], standardInput: "from stdin");
        Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("from stdin", process.StandardOutput);
    }

    [Fact]
    public async Task Past_the_deadline_the_process_is_killed_and_the_wait_throws()
    {
        await using var process = ToolProcess.Start("/bin/sleep", ["60"]);
        await Assert.ThrowsAsync<TimeoutException>(() => process.WaitForExitAsync(TimeSpan.FromMilliseconds(300)));
        await Poll.UntilAsync(() => process.HasExited, TimeSpan.FromSeconds(10), "the killed process to exit");
    }
}
