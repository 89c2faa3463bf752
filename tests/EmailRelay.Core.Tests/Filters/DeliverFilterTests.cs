using EmailRelay.Filters;
using EmailRelay.Protocol.Filters;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;
using EmailRelay.Testing;
using Microsoft.Extensions.Time.Testing;

namespace EmailRelay.Core.Tests.Filters;

public class DeliverFilterTests
{
    private const string Id = "emailrelay.1.2.3";

    private static FilterContext Message(string spool, Envelope envelope)
    {
        var contentPath = Path.Combine(spool, Id + ".content");
        var envelopePath = Path.Combine(spool, Id + ".envelope.new");
        File.WriteAllText(contentPath, "Subject: deliver\r\n\r\nbody\r\n");
        File.WriteAllBytes(envelopePath, EnvelopeFormat.Write(envelope));
        return FilterContexts.ForFiles(Id, contentPath, envelopePath, timeProvider: new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1700000000)));
    }

    private static Task<FilterResult> RunAsync(FilterContext context, string deliveryDir, FilterSpecFlags flags = FilterSpecFlags.None)
        => new DeliverFilter("deliver:", flags, deliveryDir).RunAsync(context, CancellationToken.None);

    private static List<string> Files(string root) => [.. Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
        .Select(f => Path.GetRelativePath(root, f).Replace(Id, "ID", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    [Theory]
    [InlineData("alice", true)]
    [InlineData("a.b-c_d+e", true)]
    [InlineData("", false)]
    [InlineData(".", false)]
    [InlineData("..", false)]
    [InlineData("a/b", false)]
    [InlineData("a b", false)]
    [InlineData("a\\b", false)]
    [InlineData("caf\u00e9", false)]
    [InlineData("tab\t", false)]
    public void A_mailbox_name_must_be_one_printable_path_segment(string mailbox, bool valid)
        => Assert.Equal(valid, DeliverFilter.IsValidMailbox(mailbox));

    [Fact]
    public async Task Local_only_mail_goes_to_each_distinct_mailbox_and_the_original_is_abandoned()
    {
        using var spool = new TestDirectory();
        using var delivery = new TestDirectory();
        var context = Message(spool.Path, new Envelope { ToLocal = ["alice", "bob", "alice"] });
        Assert.Equal(new FilterResult(FilterOutcome.Abandon, false, "", 0, ""), await RunAsync(context, delivery.Path));
        Assert.Equal(["alice/ID.content", "alice/ID.envelope", "bob/ID.content", "bob/ID.envelope"], Files(delivery.Path));
        Assert.Empty(Directory.GetFiles(spool.Path));
        Assert.Equal("Subject: deliver\r\n\r\nbody\r\n", File.ReadAllText(Path.Combine(delivery.Path, "bob", Id + ".content")));
    }

    [Fact]
    public async Task A_maildir_mailbox_gets_the_content_alone_in_new()
    {
        using var spool = new TestDirectory();
        using var delivery = new TestDirectory();
        foreach (var sub in new[] { "tmp", "cur", "new" })
        {
            Directory.CreateDirectory(Path.Combine(delivery.Path, "carol", sub));
        }

        var context = Message(spool.Path, new Envelope { ToLocal = ["carol"] });
        Assert.Equal(FilterOutcome.Abandon, (await RunAsync(context, delivery.Path)).Outcome);
        var file = Assert.Single(Directory.GetFiles(Path.Combine(delivery.Path, "carol", "new")));
        Assert.Matches(@"^1700000000\." + Environment.ProcessId + @"\..+\.\d+$", Path.GetFileName(file));
        Assert.Empty(Directory.GetFiles(Path.Combine(delivery.Path, "carol", "tmp")));
        Assert.Equal("Subject: deliver\r\n\r\nbody\r\n", File.ReadAllText(file));
    }

    [Fact]
    public async Task Mail_with_remote_recipients_too_is_delivered_and_continues()
    {
        using var spool = new TestDirectory();
        using var delivery = new TestDirectory();
        var context = Message(spool.Path, new Envelope { ToLocal = ["alice"], ToRemote = ["x@y.z"] });
        Assert.Equal(FilterResult.Ok, await RunAsync(context, delivery.Path, FilterSpecFlags.Hardlink));
        Assert.Equal(2, Directory.GetFiles(spool.Path).Length);
        File.AppendAllText(Path.Combine(delivery.Path, "alice", Id + ".content"), "linked");
        Assert.EndsWith("linked", File.ReadAllText(context.ContentPath()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nodelete_keeps_the_original_and_pop_copies_only_the_envelope()
    {
        using var spool = new TestDirectory();
        using var delivery = new TestDirectory();
        var context = Message(spool.Path, new Envelope { ToLocal = ["alice"] });
        Assert.Equal(FilterResult.Ok, await RunAsync(context, delivery.Path, FilterSpecFlags.NoDelete | FilterSpecFlags.Pop));
        Assert.Equal(["alice/ID.envelope"], Files(delivery.Path));
        Assert.Equal(2, Directory.GetFiles(spool.Path).Length);
    }

    [Fact]
    public async Task Pop_without_nodelete_deletes_only_the_envelope_and_keeps_the_content_in_the_spool()
    {
        using var spool = new TestDirectory();
        using var delivery = new TestDirectory();
        var context = Message(spool.Path, new Envelope { ToLocal = ["alice"] });
        Assert.Equal(FilterOutcome.Abandon, (await RunAsync(context, delivery.Path, FilterSpecFlags.Pop)).Outcome);
        Assert.Equal(["ID.content"], Files(spool.Path));
    }

    [Fact]
    public async Task No_delivery_dir_means_mailboxes_under_the_spool_and_no_local_recipients_does_nothing()
    {
        using var spool = new TestDirectory();
        var context = Message(spool.Path, new Envelope { ToRemote = ["x@y.z"] });
        Assert.Equal(FilterResult.Ok, await RunAsync(context, ""));
        Assert.Empty(Directory.GetDirectories(spool.Path));

        context = Message(spool.Path, new Envelope { ToLocal = ["alice"], ToRemote = ["x@y.z"] });
        Assert.Equal(FilterResult.Ok, await RunAsync(context, ""));
        Assert.Equal(["ID.content", "ID.envelope.new", "alice/ID.content", "alice/ID.envelope"], Files(spool.Path));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("..")]
    [InlineData("a b")]
    public async Task A_bad_mailbox_name_fails_before_anything_is_written(string mailbox)
    {
        using var spool = new TestDirectory();
        using var delivery = new TestDirectory();
        var context = Message(spool.Path, new Envelope { ToLocal = ["alice", mailbox] });
        var result = await RunAsync(context, delivery.Path);
        Assert.Equal(FilterOutcome.Fail, result.Outcome);
        Assert.Equal("invalid mailbox name: [" + mailbox + "]", result.Reason);
        Assert.Empty(Directory.EnumerateFileSystemEntries(delivery.Path));
        Assert.Equal(2, Directory.GetFiles(spool.Path).Length);
    }
}
