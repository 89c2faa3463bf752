using EmailRelay.Testing;

namespace EmailRelay.IntegrationTests.Submit;

/// <summary><c>emailrelay-resubmit</c> (differences.md 18).</summary>
public sealed class ResubmitToolTests
{
    private static void Bad(string spool, string id, int reasons)
    {
        var text = "X-MailRelay-Format: #2821.8\r\nX-MailRelay-End: 1\r\n";
        for (var i = 0; i < reasons; i++)
        {
            text += "X-MailRelay-Reason: failed\r\nX-MailRelay-ReasonCode: 550\r\n";
        }

        File.WriteAllText(Path.Combine(spool, id + ".envelope.bad"), text);
    }

    [Fact]
    public async Task Failed_envelopes_with_fewer_than_five_reasons_go_back_by_default()
    {
        using var spool = new TestDirectory();
        Bad(spool.Path, "emailrelay.1.1.1", 1);
        Bad(spool.Path, "emailrelay.1.1.2", 4);
        Bad(spool.Path, "emailrelay.1.1.3", 5);
        var (code, stdout, err) = await SubmitRun.RunAsync("emailrelay-resubmit", "", "-v", spool.Path);
        Assert.True(code == 0, err);
        Assert.Equal("emailrelay.1.1.1.envelope\nemailrelay.1.1.2.envelope\n", stdout);
        Assert.True(File.Exists(Path.Combine(spool.Path, "emailrelay.1.1.1.envelope")));
        Assert.True(File.Exists(Path.Combine(spool.Path, "emailrelay.1.1.2.envelope")));
        Assert.True(File.Exists(Path.Combine(spool.Path, "emailrelay.1.1.3.envelope.bad")));
    }

    [Fact]
    public async Task The_limit_is_an_option()
    {
        using var spool = new TestDirectory();
        Bad(spool.Path, "emailrelay.1.1.1", 1);
        Bad(spool.Path, "emailrelay.1.1.2", 2);
        var (code, _, err) = await SubmitRun.RunAsync("emailrelay-resubmit", "", "--limit", "2", "--spool-dir", spool.Path);
        Assert.True(code == 0, err);
        Assert.True(File.Exists(Path.Combine(spool.Path, "emailrelay.1.1.1.envelope")));
        Assert.True(File.Exists(Path.Combine(spool.Path, "emailrelay.1.1.2.envelope.bad")));
        Assert.Equal(1, (await SubmitRun.RunAsync("emailrelay-resubmit", "", "--limit", "x")).Code);
    }
}
