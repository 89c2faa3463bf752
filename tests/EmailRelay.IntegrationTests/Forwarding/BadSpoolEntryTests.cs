using System.Text;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Forwarding;

/// <summary>
/// Issue 24: spool entries the forwarder cannot use, in name order ahead of good messages. Each is skipped with a
/// warning and the run delivers the rest. An envelope that does not parse is moved to <c>.envelope.bad</c>
/// untouched (so no run reads it again; <c>unfail-all</c> brings it back once repaired). A message whose content
/// file is missing, a directory or a dangling symlink is never sent as an empty message: without a content file the
/// envelope is not listed as a message at all, and a content name that cannot be opened fails the message to
/// <c>.envelope.bad</c> with the reason.
/// </summary>
public sealed class BadSpoolEntryTests
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(60);

    private static string ValidEnvelopeText() => EnvelopeFormat.WriteText(new Envelope
    {
        From = "a@example.com",
        ToRemote = ["b@example.com"],
        Body = BodyType.SevenBit,
        ClientAddress = "127.0.0.1",
    });

    /// <summary>The broken envelopes of the issue, each as the file's bytes.</summary>
    private static Dictionary<string, byte[]> BrokenEnvelopes()
    {
        var valid = ValidEnvelopeText();
        var lines = valid.Split("\r\n");
        string Without(Func<string, bool> drop) => string.Join("\r\n", lines.Where(l => !drop(l)));
        var toCount = Array.FindIndex(lines, l => l.StartsWith("X-MailRelay-ToCount:", StringComparison.Ordinal));
        Assert.True(toCount > 0, valid);
        return new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["truncated"] = Encoding.ASCII.GetBytes(string.Join("\r\n", lines.Take(toCount)) + "\r\n"),
            ["garbage"] = [0x00, 0xff, 0x13, (byte)'g', (byte)'a', (byte)'r', 0x0d, 0x0a, 0x80, 0x81],
            ["zero"] = [],
            ["noend"] = Encoding.ASCII.GetBytes(Without(l => l.StartsWith("X-MailRelay-End:", StringComparison.Ordinal))),
            ["format"] = Encoding.ASCII.GetBytes(valid.Replace(lines[0], "X-MailRelay-Format: #9999.9", StringComparison.Ordinal)),
            ["tocount"] = Encoding.ASCII.GetBytes(valid.Replace(lines[toCount], "X-MailRelay-ToCount: 99999999999999", StringComparison.Ordinal)),
            ["longline"] = Encoding.ASCII.GetBytes(lines[0] + "\r\n" + new string('x', 1024 * 1024) + "\r\n" + string.Join("\r\n", lines.Skip(1))),
        };
    }

    [Fact]
    public async Task As_client_skips_unparsable_envelopes_moves_them_aside_untouched_and_delivers_the_rest()
    {
        using var dir = new TestDirectory();
        var spool = Directory.CreateDirectory(Path.Combine(dir.Path, "spool")).FullName;
        var up = Directory.CreateDirectory(Path.Combine(dir.Path, "up")).FullName;
        await using var server = await ScriptedAiosmtpdServer.StartAsync(up);
        var broken = BrokenEnvelopes();
        var n = 0;
        foreach (var (name, bytes) in broken)
        {
            // "emailrelay.0.0.N" sorts ahead of the seeded messages' "emailrelay.<pid>...".
            var id = "emailrelay.0.0." + (++n) + name;
            File.WriteAllBytes(Path.Combine(spool, id + ".envelope"), bytes);
            File.WriteAllText(Path.Combine(spool, id + ".content"), "Subject: broken " + name + "\r\n\r\nx\r\n");
        }

        var good1 = ForwardingTests.Content("good one\r\n");
        var good2 = ForwardingTests.Content("good two\r\n");
        await ForwardingTests.SeedAsync(spool, good1);
        await ForwardingTests.SeedAsync(spool, good2);

        var (exit, stderr) = await ForwardingTests.AsClientAsync(dir.Path, spool, "127.0.0.1:" + ForwardingTests.Port(server.Port));

        Assert.True(exit == 0, stderr);
        // Each good message once; their order is the spool's name order, which the shared id sequence can flip
        // (".9" sorts after ".10").
        var messages = server.Messages();
        Assert.Equal(2, messages.Count);
        Assert.Single(messages, m => m.Content.AsSpan().SequenceEqual(good1));
        Assert.Single(messages, m => m.Content.AsSpan().SequenceEqual(good2));
        n = 0;
        foreach (var (name, bytes) in broken)
        {
            var id = "emailrelay.0.0." + (++n) + name;
            var bad = Path.Combine(spool, id + ".envelope.bad");
            Assert.True(File.Exists(bad), name + ": " + stderr);
            Assert.Equal(bytes, File.ReadAllBytes(bad));
            Assert.True(File.Exists(Path.Combine(spool, id + ".content")), name);
            Assert.Contains("ignoring \"" + Path.Combine(spool, id + ".envelope.busy") + "\": ", stderr, StringComparison.Ordinal);
        }

        Assert.Equal(broken.Count, Directory.GetFiles(spool, "*.envelope*").Length);

        // A second run reads none of them again.
        (exit, stderr) = await ForwardingTests.AsClientAsync(dir.Path, spool, "127.0.0.1:" + ForwardingTests.Port(server.Port));
        Assert.True(exit == 0, stderr);
        Assert.DoesNotContain("ignoring", stderr, StringComparison.Ordinal);
    }

    public static TheoryData<string> ContentKinds() => ["missing", "directory", "dangling symlink"];

    [Theory]
    [MemberData(nameof(ContentKinds))]
    public async Task As_client_fails_a_message_without_a_content_file_and_never_sends_it_empty(string kind)
    {
        using var dir = new TestDirectory();
        var spool = Directory.CreateDirectory(Path.Combine(dir.Path, "spool")).FullName;
        var up = Directory.CreateDirectory(Path.Combine(dir.Path, "up")).FullName;
        await using var server = await ScriptedAiosmtpdServer.StartAsync(up);
        var id = "emailrelay.0.0.1";
        File.WriteAllText(Path.Combine(spool, id + ".envelope"), ValidEnvelopeText());
        var content = Path.Combine(spool, id + ".content");
        switch (kind)
        {
            case "directory":
                Directory.CreateDirectory(content);
                break;
            case "dangling symlink":
                File.CreateSymbolicLink(content, Path.Combine(dir.Path, "nowhere"));
                break;
        }

        var good = ForwardingTests.Content("good\r\n");
        await ForwardingTests.SeedAsync(spool, good);

        var (exit, stderr) = await ForwardingTests.AsClientAsync(dir.Path, spool, "127.0.0.1:" + ForwardingTests.Port(server.Port));

        Assert.True(exit == 0, stderr);
        Assert.Equal([good], server.Messages().Select(m => m.Content));
        if (kind == "dangling symlink")
        {
            // Named like a content file, but it cannot be opened: failed with the reason.
            var bad = Path.Combine(spool, id + ".envelope.bad");
            Assert.True(File.Exists(bad), stderr);
            Assert.Contains("X-MailRelay-Reason: cannot open content file", File.ReadAllText(bad), StringComparison.Ordinal);
        }
        else
        {
            // No content file: the spool does not list the envelope as a message, so it is left as it is, untried.
            Assert.True(File.Exists(Path.Combine(spool, id + ".envelope")), stderr);
        }
    }
}
