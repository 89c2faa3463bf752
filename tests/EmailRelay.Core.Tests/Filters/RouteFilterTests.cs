using EmailRelay.Filters;
using EmailRelay.Protocol.Filters;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;
using EmailRelay.Testing;
using Microsoft.Extensions.Time.Testing;

namespace EmailRelay.Core.Tests.Filters;

/// <summary>The <c>route:</c> built-in over spool files: the envelope fields it records and the split of a mixed message.</summary>
public class RouteFilterTests
{
    private const string Id = "emailrelay.1.2.3";

    private const string Table = """
        to:one.example      10.0.0.1:25,10.0.0.2:25   account=one
        to:two.example      smtp.two.example:587      account=two tls=starttls
        auth:carol          10.0.0.9:25
        """;

    private static FilterContext Message(TestDirectory dir, Envelope envelope)
    {
        var contentPath = Path.Combine(dir.Path, Id + ".content");
        var envelopePath = Path.Combine(dir.Path, Id + ".envelope.new");
        File.WriteAllText(contentPath, "Subject: route\r\n\r\nbody\r\n");
        File.WriteAllBytes(envelopePath, EnvelopeFormat.Write(envelope));
        return FilterContexts.ForFiles(Id, contentPath, envelopePath, timeProvider: new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1700000000)));
    }

    private static Envelope Read(string path) => EnvelopeFormat.Read(File.ReadAllBytes(path)).Envelope!;

    private static async Task<FilterResult> RunAsync(TestDirectory dir, FilterContext context)
    {
        var table = Path.Combine(dir.Path, "..", Path.GetFileName(dir.Path) + ".routes");
        await File.WriteAllTextAsync(table, Table);
        var factory = new FilterFactory(new FilterEnvironment { TimeProvider = TimeProvider.System });
        Assert.True(factory.TryCreate("route:" + Path.GetFullPath(table), out var filter, out var error), error);
        return await filter.RunAsync(context, CancellationToken.None);
    }

    [Fact]
    public async Task One_route_is_recorded_in_the_envelope_fields()
    {
        using var dir = new TestDirectory();
        var context = Message(dir, new Envelope { From = "a@b.c", ToRemote = ["x@Two.Example", "y@two.example"] });
        Assert.Equal(FilterResult.Ok, await RunAsync(dir, context));
        var envelope = Read(context.EnvelopePath());
        Assert.Equal(("two.example", "smtp+starttls://smtp.two.example:587", "two"), (envelope.ForwardTo, envelope.ForwardToAddress, envelope.ClientAccountSelector));
        Assert.Empty(envelope.Trailer);
        Assert.Equal(2, Directory.GetFiles(dir.Path).Length);
    }

    [Fact]
    public async Task A_message_for_no_route_is_left_as_it_is()
    {
        using var dir = new TestDirectory();
        var original = new Envelope { From = "a@b.c", ToRemote = ["x@three.example"], ClientAccountSelector = "kept" };
        var context = Message(dir, original);
        var before = File.ReadAllBytes(context.EnvelopePath());
        Assert.Equal(FilterResult.Ok, await RunAsync(dir, context));
        Assert.Equal(before, File.ReadAllBytes(context.EnvelopePath()));
    }

    [Fact]
    public async Task The_authenticated_user_picks_a_route()
    {
        using var dir = new TestDirectory();
        var context = Message(dir, new Envelope { From = "carol@b.c", Authentication = "carol", ToRemote = ["x@three.example"] });
        Assert.Equal(FilterResult.Ok, await RunAsync(dir, context));
        Assert.Equal("10.0.0.9:25", Read(context.EnvelopePath()).ForwardToAddress);
    }

    [Fact]
    public async Task A_mixed_message_is_split_as_split_does_one_envelope_per_route()
    {
        using var dir = new TestDirectory();
        var context = Message(dir, new Envelope
        {
            From = "a@b.c",
            ToLocal = ["alice"],
            ToRemote = ["x@one.example", "y@two.example", "z@one.example", "w@three.example"],
        });
        Assert.Equal(FilterResult.Ok, await RunAsync(dir, context));

        var original = Read(context.EnvelopePath());
        Assert.Equal(["x@one.example", "z@one.example"], original.ToRemote);
        Assert.Equal(["alice"], original.ToLocal);
        Assert.Equal(("one.example", "10.0.0.1:25,10.0.0.2:25", "one"), (original.ForwardTo, original.ForwardToAddress, original.ClientAccountSelector));

        var copies = Directory.GetFiles(dir.Path, "*.envelope").Select(Read).ToList();
        Assert.Equal(2, copies.Count);
        var two = Assert.Single(copies, e => e.ToRemote.SequenceEqual(["y@two.example"]));
        Assert.Equal(("two.example", "smtp+starttls://smtp.two.example:587", "two"), (two.ForwardTo, two.ForwardToAddress, two.ClientAccountSelector));
        var rest = Assert.Single(copies, e => e.ToRemote.SequenceEqual(["w@three.example"]));
        Assert.Equal(("", "", ""), (rest.ForwardTo, rest.ForwardToAddress, rest.ClientAccountSelector));
        Assert.All(copies, e => Assert.Empty(e.ToLocal));
        Assert.Contains("X-MailRelay-SplitGroupCount: 3", original.Trailer);
        Assert.All(copies, e => Assert.Equal(original.Trailer, e.Trailer));
    }

    [Fact]
    public void A_bad_table_is_a_filter_error_at_startup()
    {
        using var dir = new TestDirectory();
        var table = Path.Combine(dir.Path, "routes");
        File.WriteAllText(table, "to:x.example nowhere\n");
        var factory = new FilterFactory(new FilterEnvironment { TimeProvider = TimeProvider.System });
        Assert.False(factory.TryCreate("route:" + table, out _, out var error));
        Assert.Equal("invalid filter \"route:" + table + "\": route table error: " + table + ": line 1: invalid smarthost \"nowhere\"", error);
        Assert.False(factory.TryCreate("route:" + Path.Combine(dir.Path, "missing"), out _, out error));
        Assert.StartsWith("invalid filter \"route:" + Path.Combine(dir.Path, "missing") + "\": cannot read route table: ", error, StringComparison.Ordinal);
    }
}
