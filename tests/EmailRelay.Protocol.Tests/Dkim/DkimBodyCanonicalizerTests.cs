using System.Security.Cryptography;
using System.Text;
using EmailRelay.Protocol.Dkim;

namespace EmailRelay.Protocol.Tests.Dkim;

public class DkimBodyCanonicalizerTests
{
    // input, simple, relaxed
    public static TheoryData<string, string, string> Cases => new()
    {
        { " C \r\nD \t E\r\n\r\n\r\n", " C \r\nD \t E\r\n", " C\r\nD E\r\n" }, // RFC 6376 §3.4.5
        { "", "\r\n", "" }, // erratum 3133
        { "\r\n", "\r\n", "" },
        { "\r\n\r\n\r\n", "\r\n", "" },
        { "abc", "abc\r\n", "abc\r\n" }, // no final CRLF
        { "abc\r\n\r\n\r\n", "abc\r\n", "abc\r\n" }, // trailing blank lines
        { "a\r\n\r\nb\r\n", "a\r\n\r\nb\r\n", "a\r\n\r\nb\r\n" },
        { "a  \t b \r\n", "a  \t b \r\n", "a b\r\n" },
        { " \r\n", " \r\n", "" },
        { "a\r\n \t\r\n", "a\r\n \t\r\n", "a\r\n" },
        { "\t lead\r\n", "\t lead\r\n", " lead\r\n" },
        { "x\r\n\r\n \r\ny", "x\r\n\r\n \r\ny\r\n", "x\r\n\r\n\r\ny\r\n" },
        { "a\nb\n\n", "a\r\nb\r\n", "a\r\nb\r\n" }, // bare LF ends a line
        { "a\rb\r\n", "a\rb\r\n", "a\rb\r\n" }, // bare CR is text
        { "a \r", "a \r\r\n", "a \r\r\n" },
        { "\u00e9t\u00e9 \r\n", "\u00e9t\u00e9 \r\n", "\u00e9t\u00e9\r\n" }, // 8-bit
        { "end  ", "end  \r\n", "end\r\n" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Canonical_body_is_the_same_for_every_split_point(string input, string simple, string relaxed)
    {
        var bytes = Encoding.Latin1.GetBytes(input);
        for (int split = 0; split <= bytes.Length; split++)
        {
            Assert.Equal(simple, Run(DkimCanonicalization.Simple, bytes[..split], bytes[split..]));
            Assert.Equal(relaxed, Run(DkimCanonicalization.Relaxed, bytes[..split], bytes[split..]));
        }

        var single = bytes.Select(b => new[] { b }).ToArray();
        Assert.Equal(simple, Run(DkimCanonicalization.Simple, single));
        Assert.Equal(relaxed, Run(DkimCanonicalization.Relaxed, single));
    }

    [Fact]
    public void Many_trailing_empty_lines_are_counted_and_written_only_before_text()
    {
        var body = "a\r\n" + string.Concat(Enumerable.Repeat("\r\n", 1000)) + "b\r\n" + string.Concat(Enumerable.Repeat(" \r\n", 1000));
        Assert.Equal("a\r\n" + string.Concat(Enumerable.Repeat("\r\n", 1000)) + "b\r\n", Run(DkimCanonicalization.Relaxed, Encoding.ASCII.GetBytes(body)));
    }

    [Fact]
    public void Empty_bodies_hash_to_the_rfc_values()
    {
        // RFC 6376 §3.4.3 (simple: one CRLF) and erratum 3133 (relaxed: nothing).
        Assert.Equal("frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=", BodyHash(DkimCanonicalization.Simple, []));
        Assert.Equal("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", BodyHash(DkimCanonicalization.Relaxed, []));
    }

    [Fact]
    public void Appending_a_chunk_allocates_nothing()
    {
        using var sink = new HashSink();
        var canonicalizer = new DkimBodyCanonicalizer(DkimCanonicalization.Relaxed, sink);
        var chunk = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("Some  text\twith space \r\n\r\n", 2000)));
        canonicalizer.Append(chunk);
        Assert.Equal(0, AllocationMeter.LeastPerRound(() => canonicalizer.Append(chunk), iterations: 10));
    }

    private static string BodyHash(DkimCanonicalization mode, byte[] body)
    {
        using var sink = new HashSink();
        var canonicalizer = new DkimBodyCanonicalizer(mode, sink);
        canonicalizer.Append(body);
        canonicalizer.Finish();
        return Convert.ToBase64String(sink.Finish());
    }

    private static string Run(DkimCanonicalization mode, params byte[][] chunks)
    {
        var sink = new CollectingSink();
        var canonicalizer = new DkimBodyCanonicalizer(mode, sink);
        foreach (var chunk in chunks)
        {
            canonicalizer.Append(chunk);
        }

        canonicalizer.Finish();
        return sink.ToString();
    }

    [Fact]
    public void Hash_sink_is_sha256()
    {
        using var sink = new HashSink();
        sink.Write("abc"u8);
        Assert.Equal(SHA256.HashData("abc"u8), sink.Finish());
    }
}
