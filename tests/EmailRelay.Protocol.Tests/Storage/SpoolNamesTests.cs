using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;

namespace EmailRelay.Protocol.Tests.Storage;

public class SpoolNamesTests
{
    [Theory]
    [InlineData("emailrelay.1.2.3.content", "emailrelay.1.2.3", "Content")]
    [InlineData("emailrelay.1.2.3.envelope", "emailrelay.1.2.3", "Envelope")]
    [InlineData("emailrelay.001.envelope", "emailrelay.001", "Envelope")]
    [InlineData("x.envelope.new", "x", "EnvelopeNew")]
    [InlineData("x.envelope.busy", "x", "EnvelopeBusy")]
    [InlineData("x.envelope.bad", "x", "EnvelopeBad")]
    [InlineData("x.envelope.busy.tmp", "x", "EnvelopeBusyTmp")]
    [InlineData("x.envelope.new.tmp", "x", "EnvelopeNewTmp")]
    [InlineData("x.content.tmp", "x", "ContentTmp")]
    [InlineData("x.lock", "x", "Lock")]
    public void File_names_are_classified_by_exact_suffix(string name, string id, string kindName)
    {
        SpoolFileKind kind = Enum.Parse<SpoolFileKind>(kindName);
        Assert.True(SpoolNames.TryParse(name, out MessageId parsedId, out SpoolFileKind parsedKind));
        Assert.Equal(id, parsedId.Value);
        Assert.Equal(kind, parsedKind);
        Assert.Equal(name, SpoolNames.FileName(parsedId, kind));
    }

    [Theory]
    [InlineData(".envelope")]
    [InlineData("x.envelope.old")]
    [InlineData("x.ENVELOPE")]
    [InlineData("x.envelopes")]
    [InlineData("x.envelope.bad.1")]
    [InlineData("x.tmp")]
    [InlineData("")]
    public void Other_names_are_not_spool_files(string name)
        => Assert.False(SpoolNames.TryParse(name, out _, out _));

    [Fact]
    public void Ids_have_the_emailrelay_form()
        => Assert.Equal("emailrelay.22700.1795486939.1", SpoolNames.FormatId(22700, 1795486939, 1).Value);

    [Theory]
    [InlineData(0u, 1u)]
    [InlineData(1u, 2u)]
    [InlineData(uint.MaxValue, 1u)]
    public void Sequence_counts_from_one_and_skips_zero_on_wrap(uint current, uint next)
        => Assert.Equal(next, SpoolNames.NextSequence(current));

    [Fact]
    public void Ids_order_byte_wise_lexically()
    {
        Assert.True(new MessageId("emailrelay.1.1795486939.10") < new MessageId("emailrelay.1.1795486939.2"));
    }
}
