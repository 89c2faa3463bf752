using EmailRelay.Cli.CommandLine;

namespace EmailRelay.Core.Tests.CommandLine;

public class OptionTableTests
{
    [Fact]
    public void Table_holds_the_75_reference_options_plus_retry_limit_client_connections_and_the_proxy_protocol_pair()
    {
        Assert.Equal(83, OptionTable.All.Count);
        Assert.Equal(83, OptionTable.All.Select(o => o.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.NotNull(OptionTable.Find("server-proxy-protocol"));
        Assert.NotNull(OptionTable.Find("pop-proxy-protocol"));
        Assert.NotNull(OptionTable.Find("retry-limit"));
        Assert.Equal("20", OptionTable.Find("drain-timeout")!.Default);
        Assert.Equal("1", OptionTable.Find("client-connections")!.Default);
    }

    [Fact]
    public void Short_letters_are_unique_and_s_is_only_spool_dir()
    {
        var letters = OptionTable.All.Where(o => o.ShortName is not null).Select(o => o.ShortName!.Value).ToList();
        Assert.Equal(letters.Count, letters.Distinct().Count());
        Assert.Equal("spool-dir", OptionTable.Find('s')!.Name);
        Assert.Null(OptionTable.Get("delivery-dir").ShortName);
    }

    [Theory]
    [InlineData("idle-timeout", "300")]
    [InlineData("response-timeout", "300")]
    [InlineData("connection-timeout", "40")]
    [InlineData("prompt-timeout", "20")]
    [InlineData("filter-timeout", "60")]
    [InlineData("port", "25")]
    [InlineData("pop-port", "110")]
    [InlineData("spool-dir", "/var/spool/emailrelay")]
    [InlineData("syslog", "mail")]
    [InlineData("user", "daemon")]
    public void Defaults_are_the_real_ones(string name, string expected) =>
        Assert.Equal(expected, OptionTable.Get(name).Default);

    [Theory]
    [InlineData("syslog", "Optional")]
    [InlineData("anonymous", "Optional")]
    [InlineData("log", "None")]
    [InlineData("port", "Required")]
    public void Argument_kinds_match_the_reference(string name, string kind) =>
        Assert.Equal(Enum.Parse<ArgumentKind>(kind), OptionTable.Get(name).Kind);

    [Theory]
    [InlineData("filter")]
    [InlineData("client-filter")]
    [InlineData("interface")]
    [InlineData("server-tls-certificate")]
    [InlineData("client-tls-certificate")]
    [InlineData("tls-config")]
    [InlineData("log-format")]
    [InlineData("dnsbl")]
    [InlineData("server-smtp-config")]
    [InlineData("client-smtp-config")]
    public void Repeatable_options_are_many(string name) =>
        Assert.Equal(OptionMultiplicity.Many, OptionTable.Get(name).Multiplicity);

    [Fact]
    public void Get_of_an_unknown_name_throws() =>
        Assert.Throws<ArgumentException>(() => OptionTable.Get("bogus"));
}
