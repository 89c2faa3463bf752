using EmailRelay.Cli.Daemon;

namespace EmailRelay.Core.Tests.Daemon;

public class DaemonProcessTests
{
    [Fact]
    public void Child_is_this_executable_with_the_same_arguments_and_the_marker()
    {
        var start = DaemonProcess.CreateStartInfo(["--as-server", "--port", "25 x"]);
        Assert.Equal("1", start.Environment[DaemonProcess.ChildMarker]);
        Assert.True(start.RedirectStandardOutput);
        Assert.False(start.RedirectStandardError);
        Assert.Equal(["--as-server", "--port", "25 x"], start.ArgumentList.Skip(start.ArgumentList.Count - 3));
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            Assert.EndsWith("emailrelay.dll", start.ArgumentList[0], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Test_process_is_not_a_daemon_child()
    {
        Assert.False(DaemonProcess.IsChild);
    }
}
