using System.Text.RegularExpressions;
using EmailRelay.IntegrationTests.Filters;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Dkim;

/// <summary>
/// The whole path: <c>emailrelay-dkim-keygen</c> makes the keys and prints the records; swaks sends to the built
/// relay running <c>--filter dkim:...</c> with an RSA and an Ed25519 signature; the relay forwards to Postfix's
/// smtp-sink; the message smtp-sink captured verifies with dkimpy, OpenDKIM and MimeKit using the printed records.
/// </summary>
public sealed partial class DkimEndToEndTests
{
    [Fact]
    public async Task Swaks_to_the_relay_with_a_dkim_filter_to_smtp_sink_gives_a_message_that_verifies()
    {
        using var dir = new TestDirectory();
        var records = new Dictionary<string, string>();
        var rsaKey = Path.Combine(dir.Path, "rsa.pem");
        var edKey = Path.Combine(dir.Path, "ed.pem");
        records["rsa._domainkey.example.com"] = await KeygenAsync(dir, ["-s", "rsa", "-d", "example.com", rsaKey], "rsa._domainkey.example.com");
        records["ed._domainkey.example.com"] = await KeygenAsync(dir, ["-a", "ed25519", "-s", "ed", "-d", "example.com", edKey], "ed._domainkey.example.com");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(rsaKey));
        }

        Assert.True(File.Exists(rsaKey + ".pub"));

        var spool = Path.Combine(dir.Path, "spool");
        var dump = Path.Combine(dir.Path, "dump");
        Directory.CreateDirectory(spool);
        Directory.CreateDirectory(dump);
        await using var sink = await SmtpSink.StartAsync(dump);
        var (relay, port) = await FilterRelay.StartAsync(spool,
            "--filter", $"dkim:d=example.com;s=rsa;key={rsaKey},dkim:d=example.com;s=ed;key={edKey}",
            "--forward-to", "127.0.0.1:" + sink.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--forward-on-disconnect");
        await using (relay)
        {
            var data = "From: Alice <alice@example.com>\nTo: bob@example.org\nSubject: end to end\nMessage-ID: <e2e@example.com>\n\nHello  from swaks. \n\n";
            var sent = await Swaks.SendAsync(port, "alice@example.com", "bob@example.org", data: data);
            Assert.True(sent.ExitCode == 0, sent.Output);
            await sink.WaitForMessagesAsync(1, Waiting.DefaultTimeout);
        }

        var captured = Assert.Single(Directory.GetFiles(dump));
        // smtp-sink writes LF line ends; the message as received had CRLF.
        var message = Path.Combine(dir.Path, "received.eml");
        await File.WriteAllTextAsync(message, (await File.ReadAllTextAsync(captured)).ReplaceLineEndings("\r\n"));
        Assert.Equal(2, Regex.Count(await File.ReadAllTextAsync(message), "^DKIM-Signature:", RegexOptions.Multiline));
        using var verifiers = new DkimVerifiers(records, rsaKey);
        var results = await verifiers.VerifyAllAsync(message);
        Assert.True(results.Count == 6 && results.All(r => r.EndsWith(": pass", StringComparison.Ordinal)), DkimVerifiers.Failures(results));
    }

    private static async Task<string> KeygenAsync(TestDirectory dir, string[] arguments, string name)
    {
        var link = Path.Combine(dir.Path, "emailrelay-dkim-keygen");
        if (!File.Exists(link))
        {
            File.CreateSymbolicLink(link, RelayProcess.ExecutablePath);
        }

        await using var tool = RelayProcess.Start(dir.Path, arguments, link);
        Assert.Equal(0, await tool.WaitForExitAsync());
        var output = string.Join("\n", tool.Stdout);
        Assert.StartsWith(name + ". IN TXT ( \"v=DKIM1; k=", output, StringComparison.Ordinal);
        return string.Concat(Quoted().Matches(output).Select(m => m.Groups[1].Value));
    }

    [GeneratedRegex("\"([^\"]*)\"")]
    private static partial Regex Quoted();
}
