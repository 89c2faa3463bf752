using EmailRelay.Protocol.Routing;

namespace EmailRelay.Protocol.Tests.Routing;

public class RouteTableTests
{
    private const string Table = """
        # match            smarthost                         options
        auth:alice         10.0.0.5:25                       account=alice     # alice's own relay
        from:*.contoso.com smtp.office365.com:587            account=m365 tls=starttls messages-per-minute=30 recipients-per-day=10000
        to:gmail.com       smtp.gmail.com:465,backup:465     account=gmail tls=implicit
        to:example.org     -                                 account=plain
        *                  -                                 recipients-per-hour=500
        """;

    private static readonly RouteTable s_table = RouteTable.Parse(Table, "/etc/emailrelay/routes");

    [Theory]
    [InlineData("bob@sales.contoso.com", "", "x@gmail.com", 3)]
    [InlineData("bob@contoso.com", "", "x@gmail.com", 4)]
    [InlineData("bob@x.net", "alice", "x@gmail.com", 2)]
    [InlineData("bob@x.net", "ALICE", "x@other.net", 2)]
    [InlineData("bob@x.net", "", "x@GMAIL.com", 4)]
    [InlineData("bob@x.net", "", "x@mail.gmail.com", 6)]
    [InlineData("bob@x.net", "", "x@example.org", 5)]
    [InlineData("bob@x.net", "", "nodomain", 6)]
    public void Each_recipient_takes_the_first_rule_that_matches(string sender, string user, string recipient, int line) =>
        Assert.Equal(line, s_table.Find(sender, user, recipient)!.Line);

    [Fact]
    public void A_rule_carries_its_route_with_the_tls_scheme_on_every_host()
    {
        var m365 = s_table.Rules[1];
        Assert.Equal(("smtp+starttls://smtp.office365.com:587", "m365", RouteTls.StartTls, 30, 0, 10000),
            (m365.Smarthost, m365.Account, m365.Tls, m365.MessagesPerMinute, m365.RecipientsPerHour, m365.RecipientsPerDay));
        Assert.Equal("smtps://smtp.gmail.com:465,smtps://backup:465", s_table.Rules[2].Smarthost);
        Assert.Equal("", s_table.Rules[3].Smarthost);
        Assert.Same(m365, s_table.FindLimits("smtp+starttls://smtp.office365.com:587", "m365"));
        Assert.Same(s_table.Rules[4], s_table.FindLimits("", ""));
        Assert.Null(s_table.FindLimits("smtps://smtp.gmail.com:465,smtps://backup:465", "gmail"));
    }

    [Fact]
    public void No_rule_matches_without_a_catch_all() =>
        Assert.Null(RouteTable.Parse("to:a.example b:25\n", "t").Find("s@x", "", "r@y"));

    [Theory]
    [InlineData("to:a.example", "expected a match and a smarthost")]
    [InlineData("cc:a.example b:25", "invalid match \"cc:a.example\": expected to:, from:, auth: or *")]
    [InlineData("to: b:25", "invalid match \"to:\": expected to:, from:, auth: or *")]
    [InlineData("to:a.example b", "invalid smarthost \"b\"")]
    [InlineData("to:a.example b:25 tls=maybe", "invalid tls \"maybe\": expected starttls or implicit")]
    [InlineData("to:a.example - tls=starttls", "tls= needs a smarthost")]
    [InlineData("to:a.example b:25 messages-per-minute=0", "invalid messages-per-minute \"0\"")]
    [InlineData("to:a.example b:25 colour=red", "unknown option \"colour\"")]
    public void A_bad_line_is_an_error_naming_the_file_and_line(string line, string what) =>
        Assert.Equal("route table error: /r: line 2: " + what, Assert.Throws<FormatException>(() => RouteTable.Parse("# first\n" + line + "\n", "/r")).Message);
}
