using System.Text;
using EmailRelay.Protocol.Dkim;

namespace EmailRelay.Protocol.Tests.Dkim;

public class DkimHeaderTests
{
    [Theory]
    [InlineData("A: X\r\n", "A: X\r\n", "a:X\r\n")] // RFC 6376 §3.4.5
    [InlineData("B : Y\t\r\n\tZ  \r\n", "B : Y\t\r\n\tZ  \r\n", "b:Y Z\r\n")]
    [InlineData("Subject:   x  y\r\n", "Subject:   x  y\r\n", "subject:x y\r\n")]
    [InlineData("Subject:\r\n folded\r\n", "Subject:\r\n folded\r\n", "subject:folded\r\n")]
    [InlineData("To: a\n  b\n", "To: a\r\n  b\r\n", "to:a b\r\n")]
    [InlineData("X-Last: no line end", "X-Last: no line end\r\n", "x-last:no line end\r\n")]
    [InlineData("Subject: \u00e9t\u00e9", "Subject: \u00e9t\u00e9\r\n", "subject:\u00e9t\u00e9\r\n")]
    [InlineData("Empty:\r\n", "Empty:\r\n", "empty:\r\n")]
    public void Header_fields_canonicalize(string field, string simple, string relaxed)
    {
        var bytes = Encoding.Latin1.GetBytes(field);
        var sink = new CollectingSink();
        DkimHeaderCanonicalizer.Write(bytes, DkimCanonicalization.Simple, sink);
        Assert.Equal(simple, sink.ToString());
        sink = new CollectingSink();
        DkimHeaderCanonicalizer.Write(bytes, DkimCanonicalization.Relaxed, sink);
        Assert.Equal(relaxed, sink.ToString());
    }

    public static TheoryData<string, string[], string> Messages => new()
    {
        { "From: a@b\r\nSubject: s\r\n\r\nbody\r\n", ["From", "Subject"], "body\r\n" },
        { "From: a@b\r\nSubject: folded\r\n more\r\n\tand more\r\nTo: c\r\n\r\n\r\nbody", ["From", "Subject", "To"], "\r\nbody" },
        { "From: a@b\nTo: c\n\nbody\n", ["From", "To"], "body\n" },
        { "From: a@b\r\nTo: c\r\n", ["From", "To"], "" }, // no body, no empty line
        { "From: a@b", ["From"], "" },
        { "\r\nbody only\r\n", [], "body only\r\n" },
        { "Received: x\r\nReceived: y\r\nFrom : a@b\r\n\r\n", ["Received", "Received", "From"], "" },
        { "From: a@b\r\nnot a field\r\n\r\nx", ["From", ""], "x" },
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void Header_reader_finds_the_fields_and_the_body_for_every_split_point(string message, string[] names, string body)
    {
        var bytes = Encoding.Latin1.GetBytes(message);
        for (int split = 0; split <= bytes.Length; split++)
        {
            var reader = new DkimHeaderReader();
            int consumed = reader.Append(bytes.AsSpan(0, split));
            if (!reader.IsComplete)
            {
                consumed += reader.Append(bytes.AsSpan(split));
            }

            reader.Finish();
            Assert.Equal(names, reader.Fields().Select(f => f.Name));
            Assert.Equal(body, Encoding.Latin1.GetString(bytes.AsSpan((int)reader.BodyOffset)));
            Assert.Equal(string.Concat(reader.Fields().Select(f => Encoding.Latin1.GetString(f.Raw.Span))), message[..(message.Length - body.Length)].TrimEnd('\r', '\n') + Tail(message, body));
        }
    }

    [Fact]
    public void A_header_section_over_the_limit_is_too_long()
    {
        var reader = new DkimHeaderReader();
        var line = Encoding.ASCII.GetBytes("X-Filler: " + new string('x', 1000) + "\r\n");
        while (!reader.IsComplete)
        {
            reader.Append(line);
        }

        Assert.True(reader.IsTooLong);
    }

    [Theory]
    [InlineData("From: Alice <alice@Example.COM>", "example.com")]
    [InlineData("From: alice@example.com", "example.com")]
    [InlineData("From: \"a@b\" <x@sub.example.org>", "sub.example.org")]
    [InlineData("From: alice@example.com (Alice)", "example.com")]
    [InlineData("From:\r\n =?utf-8?q?J=C3=B6rg?= <j@example.net>\r\n", "example.net")]
    [InlineData("From: undisclosed", null)]
    public void From_domain_is_the_address_domain(string field, string? domain)
        => Assert.Equal(domain, DkimFromDomain.Parse(Encoding.UTF8.GetBytes(field)));

    private static string Tail(string message, string body)
    {
        // The fields keep the header section's own line ends, without the empty line that ends the section.
        var header = message[..(message.Length - body.Length)];
        if (header.EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            return "\r\n";
        }

        if (header.EndsWith("\n\n", StringComparison.Ordinal))
        {
            return "\n";
        }

        if (header == "\r\n")
        {
            return "";
        }

        return header.EndsWith("\r\n", StringComparison.Ordinal) ? "\r\n" : header.EndsWith('\n') ? "\n" : "";
    }
}
