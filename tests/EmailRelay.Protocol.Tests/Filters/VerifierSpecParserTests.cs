using EmailRelay.Protocol.Filters;

namespace EmailRelay.Protocol.Tests.Filters;

public class VerifierSpecParserTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    public void Empty_spec_is_the_accept_all_default(string? text)
    {
        Assert.True(VerifierSpecParser.TryParse(text, out var spec, out var error));
        Assert.Same(VerifierSpec.Default, spec);
        Assert.Equal(VerifierKind.AcceptAll, spec.Kind);
        Assert.Equal("", error);
    }

    [Theory]
    [InlineData("exit:0", VerifierKind.AcceptAll, "0")]
    [InlineData("exit:3", VerifierKind.AcceptAll, "3")]
    [InlineData("net:127.0.0.1:10025", VerifierKind.Net, "127.0.0.1:10025")]
    [InlineData("net:/run/verifier.sock", VerifierKind.Net, "/run/verifier.sock")]
    [InlineData("file:/usr/local/bin/verify", VerifierKind.File, "/usr/local/bin/verify")]
    [InlineData("/usr/local/bin/verify", VerifierKind.File, "/usr/local/bin/verify")]
    [InlineData("@app/verify", VerifierKind.File, "@app/verify")]
    [InlineData("account:", VerifierKind.Account, "")]
    public void Spec_is_parsed_to_its_kind_and_raw_value(string text, VerifierKind kind, string value)
    {
        Assert.True(VerifierSpecParser.TryParse(text, out var spec, out var error), error);
        Assert.Equal(kind, spec.Kind);
        Assert.Equal(value, spec.Value);
        Assert.Equal(text, spec.Text);
    }

    [Fact]
    public void Account_defaults_to_uids_1000_to_32767_without_switches()
    {
        Assert.True(VerifierSpecParser.TryParse("account:", out var spec, out _));
        Assert.Equal((1000, 32767, false, false, false), (spec.UidMin, spec.UidMax, spec.Lowercase, spec.Check, spec.Remote));
    }

    [Theory]
    [InlineData("account:500-600", 500, 600, false, false, false)]
    [InlineData("account:lowercase", 1000, 32767, true, false, false)]
    [InlineData("account:check", 1000, 32767, false, true, false)]
    [InlineData("account:remote", 1000, 32767, false, false, true)]
    [InlineData("account:0-0;lowercase;check;remote", 0, 0, true, true, true)]
    public void Account_options_are_read(string text, int min, int max, bool lowercase, bool check, bool remote)
    {
        Assert.True(VerifierSpecParser.TryParse(text, out var spec, out var error), error);
        Assert.Equal((min, max, lowercase, check, remote), (spec.UidMin, spec.UidMax, spec.Lowercase, spec.Check, spec.Remote));
    }

    [Theory]
    [InlineData("exit:", "invalid address verifier \"exit:\": expected a non-negative number after \"exit:\"")]
    [InlineData("exit:no", "invalid address verifier \"exit:no\": expected a non-negative number after \"exit:\"")]
    [InlineData("net:", "invalid address verifier \"net:\": missing address")]
    [InlineData("net:host", "invalid address verifier \"net:host\": expected host:port or an absolute socket path")]
    [InlineData("net:host:0", "invalid address verifier \"net:host:0\": invalid port number")]
    [InlineData("account:bogus", "invalid address verifier \"account:bogus\": unknown account option \"bogus\"")]
    [InlineData("account:600-500", "invalid address verifier \"account:600-500\": unknown account option \"600-500\"")]
    [InlineData("account:1-2;3-4", "invalid address verifier \"account:1-2;3-4\": unknown account option \"3-4\"")]
    [InlineData("account:-5", "invalid address verifier \"account:-5\": unknown account option \"-5\"")]
    [InlineData("file:", "invalid address verifier \"file:\": empty program path")]
    public void Invalid_spec_is_reported_in_band(string text, string expected)
    {
        Assert.False(VerifierSpecParser.TryParse(text, out var spec, out var error));
        Assert.Null(spec);
        Assert.Equal(expected, error);
    }
}
