using EmailRelay.Auth;
using EmailRelay.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EmailRelay.Core.Tests.Auth;

public class SecretsFileTests
{
    [Fact]
    public void A_changed_file_is_reloaded_at_most_once_a_second()
    {
        using var dir = new TestDirectory();
        string path = Path.Combine(dir.Path, "secrets");
        File.WriteAllText(path, "server plain alice one\n");
        var time = new FakeTimeProvider();
        var file = SecretsFile.Load(path, time, NullLogger.Instance);
        Assert.True(file.CheckPassword("alice", "one"u8));

        File.WriteAllText(path, "server plain alice two\n");
        File.SetLastWriteTimeUtc(path, File.GetLastWriteTimeUtc(path).AddMinutes(1));
        Assert.True(file.CheckPassword("alice", "one"u8));
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.True(file.CheckPassword("alice", "one"u8));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(file.CheckPassword("alice", "two"u8));
        Assert.False(file.CheckPassword("alice", "one"u8));
    }

    [Fact]
    public void A_bad_reload_keeps_the_previous_contents()
    {
        using var dir = new TestDirectory();
        string path = Path.Combine(dir.Path, "secrets");
        File.WriteAllText(path, "server plain alice one\n");
        var time = new FakeTimeProvider();
        var file = SecretsFile.Load(path, time, NullLogger.Instance);
        File.WriteAllText(path, "bogus line here now\n");
        File.SetLastWriteTimeUtc(path, File.GetLastWriteTimeUtc(path).AddMinutes(1));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(file.CheckPassword("alice", "one"u8));
    }

    [Fact]
    public void Errors_at_startup_are_fatal()
    {
        using var dir = new TestDirectory();
        string path = Path.Combine(dir.Path, "secrets");
        Assert.Throws<SecretsFileException>(() => SecretsFile.Load(path, TimeProvider.System, NullLogger.Instance));
        File.WriteAllText(path, "server plain alice\n");
        Assert.Throws<SecretsFileException>(() => SecretsFile.Load(path, TimeProvider.System, NullLogger.Instance));
    }
}
