using EmailRelay.Spool;
using EmailRelay.Testing;
using Microsoft.Extensions.Time.Testing;

namespace EmailRelay.Core.Tests.Spool;

public class MailboxCopierTests
{
    private static (MailboxCopier Copier, List<string> Syncs) NewCopier()
    {
        var syncs = new List<string>();
        var copier = new MailboxCopier(
            new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1700000000)),
            file => syncs.Add("file " + Path.GetFileName(file)),
            directory => syncs.Add("dir " + directory));
        return (copier, syncs);
    }

    private static (string Content, string Envelope) Source(TestDirectory dir)
    {
        var content = Path.Combine(dir.Path, "m.content");
        var envelope = Path.Combine(dir.Path, "m.envelope.busy");
        File.WriteAllText(content, "body\r\n");
        File.WriteAllText(envelope, "envelope\r\n");
        return (content, envelope);
    }

    [Fact]
    public void A_copy_into_a_plain_directory_syncs_both_files_and_then_the_directory()
    {
        using var dir = new TestDirectory();
        var (content, envelope) = Source(dir);
        var (copier, syncs) = NewCopier();
        var mailbox = Path.Combine(dir.Path, "box");
        copier.EnsureDirectory(mailbox);
        copier.Place(mailbox, "id1", content, envelope, envelopeOnly: false, hardlink: false);
        Assert.Equal(["dir " + dir.Path, "file id1.envelope", "file id1.content", "dir " + mailbox], syncs);
    }

    [Fact]
    public void A_hard_linked_copy_still_syncs_the_directory()
    {
        using var dir = new TestDirectory();
        var (content, envelope) = Source(dir);
        var (copier, syncs) = NewCopier();
        var mailbox = Path.Combine(dir.Path, "box");
        Directory.CreateDirectory(mailbox);
        copier.EnsureDirectory(mailbox);
        copier.Place(mailbox, "id1", content, envelope, envelopeOnly: false, hardlink: true);
        Assert.Equal(["file id1.envelope", "dir " + mailbox], syncs);
    }

    [Fact]
    public void A_maildir_delivery_syncs_the_file_in_tmp_and_then_new_after_the_rename()
    {
        using var dir = new TestDirectory();
        var (content, envelope) = Source(dir);
        var (copier, syncs) = NewCopier();
        var mailbox = Path.Combine(dir.Path, "md");
        foreach (var sub in new[] { "tmp", "cur", "new" })
        {
            Directory.CreateDirectory(Path.Combine(mailbox, sub));
        }

        copier.Place(mailbox, "id1", content, envelope, envelopeOnly: false, hardlink: false);
        var delivered = Assert.Single(Directory.GetFiles(Path.Combine(mailbox, "new")));
        Assert.Equal(["file " + Path.GetFileName(delivered), "dir " + Path.Combine(mailbox, "new")], syncs);
    }

    [Fact]
    public void The_real_syncs_work_on_real_files()
    {
        using var dir = new TestDirectory();
        var (content, envelope) = Source(dir);
        var copier = new MailboxCopier(TimeProvider.System);
        var mailbox = Path.Combine(dir.Path, "a", "box");
        copier.EnsureDirectory(mailbox);
        copier.Place(mailbox, "id1", content, envelope, envelopeOnly: false, hardlink: false);
        Assert.Equal("body\r\n", File.ReadAllText(Path.Combine(mailbox, "id1.content")));
    }
}
