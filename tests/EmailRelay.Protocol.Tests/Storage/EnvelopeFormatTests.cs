using System.Text;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;

namespace EmailRelay.Protocol.Tests.Storage;

public class EnvelopeFormatTests
{
    private static byte[] Golden(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Storage", "Golden", name));

    private static Envelope ReadOk(string text)
    {
        EnvelopeReadResult result = EnvelopeFormat.Read(Encoding.UTF8.GetBytes(text));
        Assert.True(result.IsSuccess, result.Error);
        return result.Envelope!;
    }

    [Theory]
    [InlineData("server-two-recipients.envelope")]
    [InlineData("client-failed-crlf.envelope")]
    [InlineData("client-failed-lf.envelope")]
    public void Golden_files_round_trip_byte_for_byte(string name)
    {
        byte[] file = Golden(name);
        EnvelopeReadResult result = EnvelopeFormat.Read(file);
        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(file, EnvelopeFormat.Write(result.Envelope!));
    }

    [Fact]
    public void Server_envelope_golden_file_reads_its_fields()
    {
        Envelope envelope = EnvelopeFormat.Read(Golden("server-two-recipients.envelope")).Envelope!;
        Assert.Equal("alice@example.com", envelope.From);
        Assert.Equal(["bob@example.net", "carol@example.net"], envelope.ToRemote);
        Assert.Empty(envelope.ToLocal);
        Assert.Equal("127.0.0.1", envelope.ClientAddress);
        Assert.Equal(BodyType.Unknown, envelope.Body);
        Assert.False(envelope.Utf8MailboxNames);
        Assert.False(envelope.UsesLfLineEndings);
        Assert.Empty(envelope.Trailer);
    }

    [Fact]
    public void Lf_only_golden_file_is_noted_and_keeps_its_trailer()
    {
        Envelope envelope = EnvelopeFormat.Read(Golden("client-failed-lf.envelope")).Envelope!;
        Assert.True(envelope.UsesLfLineEndings);
        Assert.Equal(["X-MailRelay-Reason: one or more recipients rejected", "X-MailRelay-ReasonCode: 250"], envelope.Trailer);
    }

    [Fact]
    public void A_new_envelope_is_written_with_crlf_in_the_exact_field_order()
    {
        var envelope = new Envelope
        {
            Body = BodyType.EightBitMime,
            From = "a@b",
            ToLocal = ["alice"],
            ToRemote = ["x@y"],
            Authentication = "me+you=",
            ClientAddress = "::1",
            ClientCertificate = "-----BEGIN-----\nAAA\n-----END-----",
            MailFromAuthIn = "+",
            Utf8MailboxNames = true,
        };
        string expected =
            "X-MailRelay-Format: #2821.8\r\nX-MailRelay-Content: 8bit\r\nX-MailRelay-From: a@b\r\nX-MailRelay-ToCount: 2\r\n" +
            "X-MailRelay-To-Local: alice\r\nX-MailRelay-To-Remote: x@y\r\nX-MailRelay-Authentication: me+2Byou+3D\r\n" +
            "X-MailRelay-Client: ::1\r\nX-MailRelay-ClientCertificate: -----BEGIN-----\r\n AAA\r\n -----END-----\r\n" +
            "X-MailRelay-MailFromAuthIn: +\r\nX-MailRelay-MailFromAuthOut: \r\nX-MailRelay-ForwardTo: \r\n" +
            "X-MailRelay-ForwardToAddress: \r\nX-MailRelay-ClientAccountSelector: \r\nX-MailRelay-Utf8MailboxNames: 1\r\n" +
            "X-MailRelay-End: 1\r\n";
        Assert.Equal(expected, EnvelopeFormat.WriteText(envelope));
        Assert.Equal(envelope, ReadOk(expected) with { ToLocal = envelope.ToLocal, ToRemote = envelope.ToRemote, Trailer = envelope.Trailer });
    }

    [Theory]
    [InlineData(BodyType.SevenBit, "7bit")]
    [InlineData(BodyType.EightBitMime, "8bit")]
    [InlineData(BodyType.BinaryMime, "binarymime")]
    [InlineData(BodyType.Unknown, "unknown")]
    public void Body_types_map_to_their_content_values(BodyType body, string text)
    {
        Assert.Equal(text, EnvelopeFormat.BodyText(body));
        Assert.Equal(body, EnvelopeFormat.ParseBody(text));
    }

    private const string Head = "X-MailRelay-Content: 7bit\r\nX-MailRelay-From: f@x\r\nX-MailRelay-ToCount: 2\r\n" +
        "X-MailRelay-To-Local: postmaster\r\nX-MailRelay-To-Remote: r@y\r\nX-MailRelay-Authentication: bob+40x\r\nX-MailRelay-Client: 10.0.0.1\r\n";

    public static TheoryData<string, string> OlderFormats => new()
    {
        { "#2821.3", "" },
        { "#2821.4", "X-MailRelay-ClientName: host+20name\r\nX-MailRelay-ClientCertificate: CERT\r\n" },
        { "#2821.5", "X-MailRelay-ClientCertificate: CERT\r\nX-MailRelay-MailFromAuthIn: in\r\nX-MailRelay-MailFromAuthOut: out\r\n" },
        { "#2821.6", "X-MailRelay-ClientCertificate: CERT\r\nX-MailRelay-MailFromAuthIn: in\r\nX-MailRelay-MailFromAuthOut: out\r\nX-MailRelay-ForwardTo: fwd\r\nX-MailRelay-ForwardToAddress: 1.2.3.4:25\r\n" },
        { "#2821.7", "X-MailRelay-ClientCertificate: CERT\r\nX-MailRelay-MailFromAuthIn: in\r\nX-MailRelay-MailFromAuthOut: out\r\nX-MailRelay-ForwardTo: fwd\r\nX-MailRelay-ForwardToAddress: 1.2.3.4:25\r\nX-MailRelay-Utf8MailboxNames: 1\r\n" },
        { "#2821.8", "X-MailRelay-ClientCertificate: CERT\r\nX-MailRelay-MailFromAuthIn: in\r\nX-MailRelay-MailFromAuthOut: out\r\nX-MailRelay-ForwardTo: fwd\r\nX-MailRelay-ForwardToAddress: 1.2.3.4:25\r\nX-MailRelay-ClientAccountSelector: sel\r\nX-MailRelay-Utf8MailboxNames: 1\r\n" },
    };

    [Theory]
    [MemberData(nameof(OlderFormats))]
    public void Every_format_generation_is_read(string format, string tail)
    {
        Envelope envelope = ReadOk("X-MailRelay-Format: " + format + "\r\n" + Head + tail + "X-MailRelay-End: 1\r\nX-MailRelay-Reason: x\r\n");
        int generation = format[^1] - '0';
        Assert.Equal(BodyType.SevenBit, envelope.Body);
        Assert.Equal("f@x", envelope.From);
        Assert.Equal(["postmaster"], envelope.ToLocal);
        Assert.Equal(["r@y"], envelope.ToRemote);
        Assert.Equal("bob@x", envelope.Authentication);
        Assert.Equal("10.0.0.1", envelope.ClientAddress);
        Assert.Equal(generation >= 4 ? "CERT" : "", envelope.ClientCertificate);
        Assert.Equal(generation >= 5 ? "in" : "", envelope.MailFromAuthIn);
        Assert.Equal(generation >= 5 ? "out" : "", envelope.MailFromAuthOut);
        Assert.Equal(generation >= 6 ? "fwd" : "", envelope.ForwardTo);
        Assert.Equal(generation >= 6 ? "1.2.3.4:25" : "", envelope.ForwardToAddress);
        Assert.Equal(generation >= 8 ? "sel" : "", envelope.ClientAccountSelector);
        Assert.Equal(generation >= 7, envelope.Utf8MailboxNames);
        Assert.Equal(["X-MailRelay-Reason: x"], envelope.Trailer);
    }

    [Fact]
    public void A_field_without_a_space_is_empty_and_values_are_trimmed()
    {
        string text = Encoding.UTF8.GetString(Golden("server-two-recipients.envelope"))
            .Replace("X-MailRelay-Authentication: \r\n", "X-MailRelay-Authentication:\r\n", StringComparison.Ordinal)
            .Replace("X-MailRelay-From: alice@example.com", "X-MailRelay-From:   alice@example.com  ", StringComparison.Ordinal);
        Envelope envelope = ReadOk(text);
        Assert.Equal("", envelope.Authentication);
        Assert.Equal("alice@example.com", envelope.From);
    }

    [Fact]
    public void Continuation_lines_are_unfolded()
    {
        string text = Encoding.UTF8.GetString(Golden("server-two-recipients.envelope"))
            .Replace("X-MailRelay-ClientCertificate: \r\n", "X-MailRelay-ClientCertificate: -----BEGIN-----\r\n AAA\r\n\tBBB\r\n -----END-----\r\n", StringComparison.Ordinal);
        Assert.Equal("-----BEGIN-----\nAAA\nBBB\n-----END-----", ReadOk(text).ClientCertificate);
    }

    public static TheoryData<string, string, string> Malformed => new()
    {
        { "X-MailRelay-Format: #2821.8\r\n", "", "expected X-MailRelay-Format:" },
        { "X-MailRelay-Format: #2821.8", "X-MailRelay-Format: #2821.9", "invalid format: #2821.9" },
        { "X-MailRelay-Content: unknown", "X-MailRelay-Contents: unknown", "expected X-MailRelay-Content:" },
        { "X-MailRelay-ToCount: 2", "X-MailRelay-ToCount: two", "invalid to-count: two" },
        { "X-MailRelay-ToCount: 2", "X-MailRelay-ToCount: 3", "expected X-MailRelay-To-Remote:" },
        { "X-MailRelay-Client: 127.0.0.1\r\n", "", "expected X-MailRelay-Client:" },
        { "X-MailRelay-ForwardTo: \r\n", "", "expected X-MailRelay-ForwardTo:" },
        { "X-MailRelay-ClientAccountSelector: \r\n", "", "expected X-MailRelay-ClientAccountSelector:" },
        { "X-MailRelay-End: 1\r\n", "", "expected X-MailRelay-End:" },
        { "X-MailRelay-Utf8MailboxNames: 0", "X-MailRelay-Utf8MailboxNamesX: 0", "expected X-MailRelay-Utf8MailboxNames:" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_files_give_the_expected_error(string find, string replace, string error)
    {
        string text = Encoding.UTF8.GetString(Golden("server-two-recipients.envelope")).Replace(find, replace, StringComparison.Ordinal);
        EnvelopeReadResult result = EnvelopeFormat.Read(Encoding.UTF8.GetBytes(text));
        Assert.False(result.IsSuccess);
        Assert.Equal(error, result.Error);
    }

    [Fact]
    public void Every_prefix_of_a_file_is_an_error_or_an_envelope_never_an_exception()
    {
        byte[] file = Golden("client-failed-crlf.envelope");
        int successes = 0;
        for (int i = 0; i <= file.Length; i++)
        {
            EnvelopeReadResult result = EnvelopeFormat.Read(file.AsSpan(0, i));
            Assert.True(result.IsSuccess ^ (result.Error is not null));
            successes += result.IsSuccess ? 1 : 0;
        }

        Assert.True(successes > 0);
        Assert.False(EnvelopeFormat.Read([0xFF, 0xFE]).IsSuccess);
    }

    [Theory]
    [InlineData("client-failed-crlf.envelope", "\r\n")]
    [InlineData("client-failed-lf.envelope", "\n")]
    public void Reason_lines_are_appended_with_the_files_line_ending(string name, string eol)
    {
        byte[] file = Golden(name);
        byte[] appended = EnvelopeFormat.AppendReason(file, "bad\tthing \u00e9\u0001!", 0);
        string tail = Encoding.UTF8.GetString(appended, file.Length, appended.Length - file.Length);
        Assert.Equal("X-MailRelay-Reason: bad thing !" + eol + "X-MailRelay-ReasonCode:" + eol, tail);
        Envelope envelope = EnvelopeFormat.Read(appended).Envelope!;
        Assert.Equal(4, envelope.Trailer.Count);
    }

    [Fact]
    public void Reason_code_is_written_after_one_space()
        => Assert.Equal("X-MailRelay-Reason: no\r\nX-MailRelay-ReasonCode: 550\r\n", EnvelopeFormat.ReasonLines("no", 550, useLfLineEndings: false));

    [Fact]
    public void Appending_to_a_file_without_a_final_line_ending_adds_one_first()
    {
        byte[] appended = EnvelopeFormat.AppendReason("X-MailRelay-End: 1"u8, "r", 451);
        Assert.Equal("X-MailRelay-End: 1\r\nX-MailRelay-Reason: r\r\nX-MailRelay-ReasonCode: 451\r\n", Encoding.UTF8.GetString(appended));
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("bob", "bob")]
    [InlineData("a+b=c d", "a+2Bb+3Dc+20d")]
    [InlineData("j\u00f6", "j+C3+B6")]
    public void Authentication_is_xtext_in_the_file(string plain, string xtext)
    {
        Assert.Equal(xtext, EnvelopeXtext.Encode(plain));
        Assert.Equal(plain, EnvelopeXtext.Decode(xtext));
    }

    [Fact]
    public void Malformed_xtext_is_kept_literally() => Assert.Equal("a+zz+4", EnvelopeXtext.Decode("a+zz+4"));
}
