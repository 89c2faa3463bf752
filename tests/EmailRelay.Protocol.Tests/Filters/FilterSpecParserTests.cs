using EmailRelay.Protocol.Filters;

namespace EmailRelay.Protocol.Tests.Filters;

public class FilterSpecParserTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(",")]
    public void Empty_spec_gives_an_empty_chain(string? text)
    {
        Assert.True(FilterSpecParser.TryParse(text, out var chain, out var error));
        Assert.Empty(chain);
        Assert.Equal("", error);
    }

    [Theory]
    [InlineData("exit:0", FilterKind.Exit, "0", 0)]
    [InlineData("exit:103", FilterKind.Exit, "103", 103)]
    [InlineData("sleepms:250", FilterKind.SleepMs, "250", 250)]
    [InlineData("net:127.0.0.1:9999", FilterKind.Net, "127.0.0.1:9999", 0)]
    [InlineData("net:localhost:1", FilterKind.Net, "localhost:1", 0)]
    [InlineData("net:[::1]:65535", FilterKind.Net, "[::1]:65535", 0)]
    [InlineData("net:/run/filter.sock", FilterKind.Net, "/run/filter.sock", 0)]
    [InlineData("spam:127.0.0.1:783", FilterKind.Spam, "127.0.0.1:783", 0)]
    [InlineData("spam-edit:/var/run/spamd.sock", FilterKind.SpamEdit, "/var/run/spamd.sock", 0)]
    [InlineData("copy:", FilterKind.Copy, "", 0)]
    [InlineData("deliver:", FilterKind.Deliver, "", 0)]
    [InlineData("split:", FilterKind.Split, "", 0)]
    [InlineData("mx:", FilterKind.Mx, "", 0)]
    [InlineData("msgid:", FilterKind.MsgId, "", 0)]
    [InlineData("file:/usr/local/bin/filter.sh", FilterKind.File, "/usr/local/bin/filter.sh", 0)]
    [InlineData("file:relative/x.sh", FilterKind.File, "relative/x.sh", 0)]
    [InlineData("/usr/local/bin/filter.sh", FilterKind.File, "/usr/local/bin/filter.sh", 0)]
    [InlineData("@app/filter", FilterKind.File, "@app/filter", 0)]
    [InlineData("filter.sh", FilterKind.File, "filter.sh", 0)]
    [InlineData("/odd:name/filter", FilterKind.File, "/odd:name/filter", 0)]
    [InlineData("copy", FilterKind.File, "copy", 0)]
    public void Single_member_is_parsed_to_its_kind_and_value(string text, FilterKind kind, string value, int number)
    {
        Assert.True(FilterSpecParser.TryParse(text, out var chain, out var error), error);
        var spec = Assert.Single(chain);
        Assert.Equal(kind, spec.Kind);
        Assert.Equal(value, spec.Value);
        Assert.Equal(number, spec.Number);
        Assert.Equal(text, spec.Text);
        Assert.Equal(text, spec.ToString());
    }

    [Fact]
    public void Comma_list_is_a_chain_in_order_with_blank_members_skipped()
    {
        Assert.True(FilterSpecParser.TryParse("exit:0, sleepms:5,,/bin/f,copy:pop;h,", out var chain, out _));
        Assert.Equal([FilterKind.Exit, FilterKind.SleepMs, FilterKind.File, FilterKind.Copy], chain.Select(s => s.Kind));
        Assert.Equal(["exit:0", "sleepms:5", "/bin/f", "copy:pop;h"], chain.Select(s => s.Text));
    }

    [Theory]
    [InlineData("copy:pop", FilterSpecFlags.Pop)]
    [InlineData("copy:p", FilterSpecFlags.Pop)]
    [InlineData("copy:hardlink", FilterSpecFlags.Hardlink)]
    [InlineData("copy:h", FilterSpecFlags.Hardlink)]
    [InlineData("copy:nodelete", FilterSpecFlags.NoDelete)]
    [InlineData("copy:no_delete", FilterSpecFlags.NoDelete)]
    [InlineData("copy:n", FilterSpecFlags.NoDelete)]
    [InlineData("copy:pop;hardlink;nodelete", FilterSpecFlags.Pop | FilterSpecFlags.Hardlink | FilterSpecFlags.NoDelete)]
    [InlineData("deliver:h;n;p", FilterSpecFlags.Pop | FilterSpecFlags.Hardlink | FilterSpecFlags.NoDelete)]
    [InlineData("deliver:", FilterSpecFlags.None)]
    [InlineData("split:raw", FilterSpecFlags.Raw)]
    public void Builtin_switches_set_their_flags(string text, FilterSpecFlags flags)
    {
        Assert.True(FilterSpecParser.TryParse(text, out var chain, out var error), error);
        Assert.Equal(flags, Assert.Single(chain).Flags);
    }

    [Fact]
    public void Split_number_is_a_port_for_ForwardTo()
    {
        Assert.True(FilterSpecParser.TryParse("split:raw;2525", out var chain, out _));
        var spec = Assert.Single(chain);
        Assert.Equal(2525, spec.Port);
        Assert.Equal(FilterSpecFlags.Raw, spec.Flags);
    }

    [Fact]
    public void Mx_options_give_dns_servers_and_timeouts()
    {
        Assert.True(FilterSpecParser.TryParse("mx:127.0.0.1;[::1]:5353;10.0.0.1:53;nst=3;rt=60", out var chain, out var error), error);
        var spec = Assert.Single(chain);
        Assert.Equal(["127.0.0.1", "[::1]:5353", "10.0.0.1:53"], spec.DnsServers);
        Assert.Equal(3, spec.NameServerTimeoutSeconds);
        Assert.Equal(60, spec.RestartTimeoutSeconds);
    }

    [Fact]
    public void Mx_without_options_uses_defaults()
    {
        Assert.True(FilterSpecParser.TryParse("mx:", out var chain, out _));
        var spec = Assert.Single(chain);
        Assert.Empty(spec.DnsServers);
        Assert.Null(spec.NameServerTimeoutSeconds);
        Assert.Null(spec.RestartTimeoutSeconds);
    }

    [Theory]
    [InlineData("net:/run/x.sock", true)]
    [InlineData("net:127.0.0.1:1", false)]
    [InlineData("spam:/run/spamd", true)]
    [InlineData("/bin/x", false)]
    public void Unix_socket_addresses_are_recognised(string text, bool isUnix)
    {
        Assert.True(FilterSpecParser.TryParse(text, out var chain, out _));
        Assert.Equal(isUnix, Assert.Single(chain).IsUnixSocket);
    }

    [Theory]
    [InlineData("exit:", "invalid filter \"exit:\": expected a non-negative number after \"exit:\"")]
    [InlineData("exit:x", "invalid filter \"exit:x\": expected a non-negative number after \"exit:\"")]
    [InlineData("exit:-1", "invalid filter \"exit:-1\": expected a non-negative number after \"exit:\"")]
    [InlineData("exit:+1", "invalid filter \"exit:+1\": expected a non-negative number after \"exit:\"")]
    [InlineData("exit:99999999999", "invalid filter \"exit:99999999999\": expected a non-negative number after \"exit:\"")]
    [InlineData("sleepms:1.5", "invalid filter \"sleepms:1.5\": expected a non-negative number after \"sleepms:\"")]
    [InlineData("net:", "invalid filter \"net:\": missing address")]
    [InlineData("net:host", "invalid filter \"net:host\": expected host:port or an absolute socket path")]
    [InlineData("net:host:", "invalid filter \"net:host:\": expected host:port or an absolute socket path")]
    [InlineData("net::25", "invalid filter \"net::25\": expected host:port or an absolute socket path")]
    [InlineData("net:host:0", "invalid filter \"net:host:0\": invalid port number")]
    [InlineData("net:host:65536", "invalid filter \"net:host:65536\": invalid port number")]
    [InlineData("net:host:smtp", "invalid filter \"net:host:smtp\": invalid port number")]
    [InlineData("net:[::1:25", "invalid filter \"net:[::1:25\": invalid host")]
    [InlineData("spam:", "invalid filter \"spam:\": missing address")]
    [InlineData("spam-edit:x", "invalid filter \"spam-edit:x\": expected host:port or an absolute socket path")]
    [InlineData("copy:pop;bogus", "invalid filter \"copy:pop;bogus\": unknown copy option \"bogus\"")]
    [InlineData("copy:raw", "invalid filter \"copy:raw\": unknown copy option \"raw\"")]
    [InlineData("deliver:x", "invalid filter \"deliver:x\": unknown deliver option \"x\"")]
    [InlineData("split:pop", "invalid filter \"split:pop\": unknown split option \"pop\"")]
    [InlineData("split:0", "invalid filter \"split:0\": unknown split option \"0\"")]
    [InlineData("split:25;26", "invalid filter \"split:25;26\": unknown split option \"26\"")]
    [InlineData("mx:dns.example.com", "invalid filter \"mx:dns.example.com\": unknown mx option \"dns.example.com\"")]
    [InlineData("mx:nst=x", "invalid filter \"mx:nst=x\": unknown mx option \"nst=x\"")]
    [InlineData("mx:rt=", "invalid filter \"mx:rt=\": unknown mx option \"rt=\"")]
    [InlineData("msgid:x", "invalid filter \"msgid:x\": msgid takes no options")]
    [InlineData("file:", "invalid filter \"file:\": empty program path")]
    public void Invalid_member_is_reported_in_band_naming_it(string text, string expected)
    {
        Assert.False(FilterSpecParser.TryParse(text, out var chain, out var error));
        Assert.Empty(chain);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void One_invalid_member_fails_the_whole_chain()
    {
        Assert.False(FilterSpecParser.TryParse("exit:0,copy:zz,exit:1", out var chain, out var error));
        Assert.Empty(chain);
        Assert.Contains("copy:zz", error);
    }

    [Fact]
    public void Every_prefix_of_a_valid_chain_parses_or_fails_without_throwing()
    {
        const string text = "exit:0,sleepms:10,net:127.0.0.1:25,spam-edit:/s,copy:pop;h;n,split:raw;25,mx:1.2.3.4;nst=1;rt=2,msgid:,file:/x";
        for (var i = 0; i <= text.Length; i++)
        {
            var ok = FilterSpecParser.TryParse(text[..i], out var chain, out var error);
            Assert.Equal(ok, error.Length == 0);
            Assert.Equal(ok, chain.Count > 0 || string.IsNullOrWhiteSpace(text[..i].Replace(",", "")));
        }

        Assert.True(FilterSpecParser.TryParse(text, out var all, out _));
        Assert.Equal(9, all.Count);
    }
}
