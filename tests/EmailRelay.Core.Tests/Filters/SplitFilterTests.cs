using EmailRelay.Filters;
using EmailRelay.Protocol.Filters;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;
using EmailRelay.Testing;
using Microsoft.Extensions.Time.Testing;

namespace EmailRelay.Core.Tests.Filters;

public class SplitFilterTests
{
    private const string Id = "emailrelay.1.2.3";

    private static FilterContext Message(TestDirectory dir, Envelope envelope)
    {
        var contentPath = Path.Combine(dir.Path, Id + ".content");
        var envelopePath = Path.Combine(dir.Path, Id + ".envelope.new");
        File.WriteAllText(contentPath, "Subject: split\r\n\r\nbody\r\n");
        File.WriteAllBytes(envelopePath, EnvelopeFormat.Write(envelope));
        return FilterContexts.ForFiles(Id, contentPath, envelopePath, timeProvider: new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1700000000)));
    }

    private static Envelope Read(string path) => EnvelopeFormat.Read(File.ReadAllBytes(path)).Envelope!;

    private static Task<FilterResult> RunAsync(FilterContext context, FilterSpecFlags flags = FilterSpecFlags.None, int? port = null)
        => new SplitFilter("split:", flags, port).RunAsync(context, CancellationToken.None);

    [Fact]
    public void Recipients_group_by_lowercased_domain_in_order_of_first_appearance_keeping_the_first_spelling()
    {
        // Issue 23 C: expected ForwardTo keeps the case (E-MailRelay), got "y.org".
        var groups = SplitFilter.Group(["a@Y.org", "b@x.net", "c@y.ORG", "d@x.net", "nodomain"], raw: false);
        Assert.Equal(["Y.org", "x.net", ""], groups.Select(g => g.Domain));
        Assert.Equal(["a@Y.org", "c@y.ORG"], groups[0].Recipients);
        Assert.Equal(["b@x.net", "d@x.net"], groups[1].Recipients);
        Assert.Equal(["Y.org", "x.net", "y.ORG", ""], SplitFilter.Group(["a@Y.org", "b@x.net", "c@y.ORG", "nodomain"], raw: true).Select(g => g.Domain));
    }

    [Fact]
    public async Task One_domain_gets_forward_to_and_no_split_group_trailer()
    {
        using var dir = new TestDirectory();
        var context = Message(dir, new Envelope { From = "a@b.c", ToRemote = ["x@Example.NET", "y@example.net"] });
        Assert.Equal(FilterResult.Ok, await RunAsync(context, port: 2525));
        var envelope = Read(context.EnvelopePath());
        Assert.Equal("Example.NET:2525", envelope.ForwardTo); // spelt as first seen (issue 23 C)
        Assert.Equal(["x@Example.NET", "y@example.net"], envelope.ToRemote);
        Assert.Empty(envelope.Trailer);
        Assert.Equal(2, Directory.GetFiles(dir.Path).Length);
    }

    [Fact]
    public async Task Each_other_domain_gets_a_committed_copy_with_linked_content_and_the_whole_group_in_every_trailer()
    {
        using var dir = new TestDirectory();
        var context = Message(dir, new Envelope
        {
            From = "a@b.c",
            ToLocal = ["alice"],
            ToRemote = ["x@one.example", "y@two.example", "z@one.example", "w@three.example"],
            Trailer = ["X-MailRelay-Reason: earlier", "X-MailRelay-ReasonCode: 450"],
        });
        Assert.Equal(FilterResult.Ok, await RunAsync(context));

        var original = Read(context.EnvelopePath());
        Assert.Equal(["alice"], original.ToLocal);
        Assert.Equal(["x@one.example", "z@one.example"], original.ToRemote);
        Assert.Equal("one.example", original.ForwardTo);

        var copies = Directory.GetFiles(dir.Path, "*.envelope").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(2, copies.Length);
        var ids = copies.Select(c => Path.GetFileName(c)[..^".envelope".Length]).ToArray();
        Assert.All(ids, i => Assert.Matches(@"^emailrelay\.\d+\.1700000000\.\d+$", i));
        List<string> trailer = ["X-MailRelay-Reason: earlier", "X-MailRelay-ReasonCode: 450", "X-MailRelay-SplitGroupCount: 3", "X-MailRelay-SplitGroup: " + Id];
        var byDomain = copies.Select(Read).ToDictionary(e => e.ForwardTo, StringComparer.Ordinal);
        Assert.Equal(["y@two.example"], byDomain["two.example"].ToRemote);
        Assert.Equal(["w@three.example"], byDomain["three.example"].ToRemote);
        Assert.All(byDomain.Values, e => Assert.Empty(e.ToLocal));
        Assert.All(byDomain.Values, e => Assert.Equal("a@b.c", e.From));

        // Every envelope lists the whole group: the original first, then the copies in creation order.
        var groupIds = original.Trailer.Where(l => l.StartsWith("X-MailRelay-SplitGroup: ", StringComparison.Ordinal)).Select(l => l["X-MailRelay-SplitGroup: ".Length..]).ToArray();
        Assert.Equal(Id, groupIds[0]);
        Assert.Equal(ids.Order(StringComparer.Ordinal), groupIds.Skip(1).Order(StringComparer.Ordinal));
        Assert.Equal(trailer, original.Trailer.Take(4));
        Assert.All(byDomain.Values, e => Assert.Equal(original.Trailer, e.Trailer));

        // The content is hard-linked: one inode, three names; no lock or temporary files are left.
        foreach (var id in ids)
        {
            var copy = Path.Combine(dir.Path, id + ".content");
            Assert.Equal(File.ReadAllText(context.ContentPath()), File.ReadAllText(copy));
            File.AppendAllText(copy, "x");
        }

        Assert.EndsWith("body\r\nxx", File.ReadAllText(context.ContentPath()), StringComparison.Ordinal);
        Assert.Equal(6, Directory.GetFiles(dir.Path).Length);
    }

    [Fact]
    public async Task Splitting_again_replaces_the_old_group_trailer()
    {
        using var dir = new TestDirectory();
        var context = Message(dir, new Envelope { ToRemote = ["x@one.example", "y@two.example"], Trailer = ["X-MailRelay-SplitGroupCount: 9", "X-MailRelay-SplitGroup: old"] });
        Assert.Equal(FilterResult.Ok, await RunAsync(context));
        var trailer = Read(context.EnvelopePath()).Trailer;
        Assert.Equal("X-MailRelay-SplitGroupCount: 2", trailer[0]);
        Assert.Equal(3, trailer.Count);
        Assert.DoesNotContain("X-MailRelay-SplitGroup: old", trailer);
    }

    [Fact]
    public async Task No_remote_recipients_leaves_the_message_alone()
    {
        using var dir = new TestDirectory();
        var context = Message(dir, new Envelope { ToLocal = ["alice"] });
        var before = File.ReadAllBytes(context.EnvelopePath());
        Assert.Equal(FilterResult.Ok, await RunAsync(context));
        Assert.Equal(before, File.ReadAllBytes(context.EnvelopePath()));
    }

    [Fact]
    public async Task An_unreadable_envelope_fails_with_response_error()
    {
        using var dir = new TestDirectory();
        var context = Message(dir, new Envelope());
        File.WriteAllText(context.EnvelopePath(), "garbage\r\n");
        var result = await RunAsync(context);
        Assert.Equal(FilterOutcome.Fail, result.Outcome);
        Assert.Equal("error", result.Response);
        Assert.StartsWith("invalid envelope: ", result.Reason, StringComparison.Ordinal);
    }
}
