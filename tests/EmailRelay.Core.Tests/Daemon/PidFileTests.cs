using EmailRelay.Cli.Daemon;
using EmailRelay.Testing;

namespace EmailRelay.Core.Tests.Daemon;

public class PidFileTests
{
    [Fact]
    public void Pid_is_written_with_a_newline_and_the_parent_directory_is_created()
    {
        using var dir = new TestDirectory();
        var path = Path.Combine(dir.Path, "run", "sub", "emailrelay.pid");
        var pidFile = new PidFile(path);
        pidFile.Write(1234);
        Assert.Equal("1234\n", File.ReadAllText(path));
        pidFile.Remove();
        Assert.False(File.Exists(path));
        pidFile.Remove();
    }

    [Fact]
    public void A_pid_file_that_was_never_written_is_not_removed()
    {
        using var dir = new TestDirectory();
        var path = Path.Combine(dir.Path, "other.pid");
        File.WriteAllText(path, "1\n");
        new PidFile(path).Remove();
        Assert.True(File.Exists(path));
    }
}
