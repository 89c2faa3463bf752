using EmailRelay.Filters;
using EmailRelay.Protocol.Filters;
using EmailRelay.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EmailRelay.Core.Tests.Filters;

public class BuiltinFilterTests
{
    private const string Id = "emailrelay.1.2.3";

    private static FilterContext Message(TestDirectory dir, string content = "Subject: hi\r\n\r\nbody\r\n")
    {
        var contentPath = Path.Combine(dir.Path, Id + ".content");
        var envelopePath = Path.Combine(dir.Path, Id + ".envelope.new");
        File.WriteAllText(contentPath, content);
        File.WriteAllText(envelopePath, "X-MailRelay-Format: #2821.5\r\n");
        return FilterContexts.ForFiles(Id, contentPath, envelopePath);
    }

    [Fact]
    public async Task Msgid_adds_a_message_id_as_the_first_line_when_there_is_none()
    {
        using var dir = new TestDirectory();
        var context = Message(dir);
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1700000000).AddTicks(1234560));
        Assert.Equal(FilterResult.Ok, await new MsgIdFilter("msgid:", "relay.example.org", time).RunAsync(context, CancellationToken.None));
        var text = File.ReadAllText(context.ContentPath());
        Assert.Matches(@"^Message-ID: <1700000000\.123456\.[0-9]+\.1@relay\.example\.org>\r\nSubject: hi\r\n\r\nbody\r\n$", text);
    }

    [Theory]
    [InlineData("Subject: hi\r\nmessage-id: <x@y>\r\n\r\nbody\r\n")]
    [InlineData("Message-ID:<x@y>\n\nbody\n")]
    public async Task Msgid_leaves_a_message_that_has_one_alone(string content)
    {
        using var dir = new TestDirectory();
        var context = Message(dir, content);
        await new MsgIdFilter("msgid:", "d", TimeProvider.System).RunAsync(context, CancellationToken.None);
        Assert.Equal(content, File.ReadAllText(context.ContentPath()));
    }

    [Fact]
    public void Message_id_in_the_body_does_not_count()
        => Assert.False(MessageIdHeader.HasMessageId("Subject: x\r\n\r\nMessage-ID: <x@y>\r\n"u8));

    [Fact]
    public async Task Copy_copies_into_each_subdirectory_and_maildir_then_abandons()
    {
        using var dir = new TestDirectory();
        foreach (var sub in new[] { "alice", "bob", "postmaster", ".hidden", "md/tmp", "md/cur", "md/new" })
        {
            Directory.CreateDirectory(Path.Combine(dir.Path, sub));
        }

        var context = Message(dir);
        var result = await new CopyFilter("copy:", FilterSpecFlags.None, NullLogger.Instance).RunAsync(context, CancellationToken.None);
        Assert.Equal(FilterOutcome.Abandon, result.Outcome);
        foreach (var sub in new[] { "alice", "bob" })
        {
            Assert.True(File.Exists(Path.Combine(dir.Path, sub, Id + ".envelope")));
            Assert.True(File.Exists(Path.Combine(dir.Path, sub, Id + ".content")));
        }

        Assert.Empty(Directory.GetFiles(Path.Combine(dir.Path, "postmaster")));
        Assert.Empty(Directory.GetFiles(Path.Combine(dir.Path, ".hidden")));
        Assert.Empty(Directory.GetFiles(Path.Combine(dir.Path, "md", "tmp")));
        Assert.Equal("Subject: hi\r\n\r\nbody\r\n", File.ReadAllText(Assert.Single(Directory.GetFiles(Path.Combine(dir.Path, "md", "new")))));
        Assert.False(File.Exists(context.EnvelopePath()));
        Assert.False(File.Exists(context.ContentPath()));
    }

    [Fact]
    public async Task Copy_pop_copies_envelopes_only_and_keeps_the_content()
    {
        using var dir = new TestDirectory();
        Directory.CreateDirectory(Path.Combine(dir.Path, "alice"));
        var context = Message(dir);
        var result = await new CopyFilter("copy:pop", FilterSpecFlags.Pop, NullLogger.Instance).RunAsync(context, CancellationToken.None);
        Assert.Equal(FilterOutcome.Abandon, result.Outcome);
        Assert.Equal([Path.Combine(dir.Path, "alice", Id + ".envelope")], Directory.GetFiles(Path.Combine(dir.Path, "alice")));
        Assert.True(File.Exists(context.ContentPath()));
        Assert.False(File.Exists(context.EnvelopePath()));
    }

    [Fact]
    public async Task Copy_nodelete_hardlink_keeps_the_originals_and_links_the_content()
    {
        using var dir = new TestDirectory();
        Directory.CreateDirectory(Path.Combine(dir.Path, "alice"));
        var context = Message(dir);
        var result = await new CopyFilter("copy:n;h", FilterSpecFlags.NoDelete | FilterSpecFlags.Hardlink, NullLogger.Instance).RunAsync(context, CancellationToken.None);
        Assert.Equal(FilterResult.Ok, result);
        Assert.True(File.Exists(context.EnvelopePath()));
        File.AppendAllText(context.ContentPath(), "more");
        Assert.EndsWith("more", File.ReadAllText(Path.Combine(dir.Path, "alice", Id + ".content")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Copy_with_no_subdirectories_is_ok_and_touches_nothing()
    {
        using var dir = new TestDirectory();
        var context = Message(dir);
        Assert.Equal(FilterResult.Ok, await new CopyFilter("copy:", FilterSpecFlags.None, NullLogger.Instance).RunAsync(context, CancellationToken.None));
        Assert.True(File.Exists(context.EnvelopePath()));
    }
}
