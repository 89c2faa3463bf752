using EmailRelay.Spool;
using EmailRelay.Web.Queue;

namespace EmailRelay.Core.Tests.Web;

public sealed class QueueQueryTests
{
    private static readonly DateTimeOffset s_now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("state=bogus", "state must be")]
    [InlineData("page=0", "page must be")]
    [InlineData("page_size=501", "page must be")]
    [InlineData("page_size=-1", "page must be")]
    [InlineData("min_age=x", "min_age and max_age")]
    [InlineData("max_age=-5", "min_age and max_age")]
    public void Invalid_parameters_are_refused(string query, string error)
    {
        Assert.Null(QueueQuery.Parse(Get(query), out string message));
        Assert.StartsWith(error, message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_are_every_state_page_one_of_fifty()
    {
        var query = QueueQuery.Parse(Get(""), out _)!;
        Assert.Equal((null, 1, 50), (query.State, query.Page, query.PageSize));
        Assert.Null(QueueQuery.Parse(Get("state=all"), out _)!.State);
    }

    [Theory]
    [InlineData("state=queued", true)]
    [InlineData("state=deferred", false)]
    [InlineData("sender=ALICE", true)]
    [InlineData("sender=bob", false)]
    [InlineData("recipient=carol@", true)]
    [InlineData("recipient=dave", true)]
    [InlineData("recipient=erin", false)]
    [InlineData("min_age=3600", true)]
    [InlineData("min_age=3601", false)]
    [InlineData("max_age=3599", false)]
    [InlineData("max_age=3600", true)]
    public void Filters_match(string query, bool matches)
    {
        var entry = new IndexEntry("emailrelay.1.1.1", SpoolEntryState.Ready, "alice@example.com", ["carol@example.net", "dave@example.org"], 10, s_now.AddHours(-1), 0, "", s_now.AddHours(-1));
        Assert.Equal(matches, QueueQuery.Parse(Get(query), out _)!.Matches(entry, s_now));
    }

    [Theory]
    [InlineData(SpoolEntryState.Ready, 0, "queued")]
    [InlineData(SpoolEntryState.Ready, 2, "deferred")]
    [InlineData(SpoolEntryState.Locked, 0, "in-flight")]
    [InlineData(SpoolEntryState.Failed, 1, "failed")]
    public void State_names(SpoolEntryState state, int failures, string name) =>
        Assert.Equal(name, new IndexEntry("i", state, "", [], 0, s_now, failures, "", s_now).StateName);

    private static Func<string, string?> Get(string query)
    {
        var values = query.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        return name => values.GetValueOrDefault(name);
    }
}
