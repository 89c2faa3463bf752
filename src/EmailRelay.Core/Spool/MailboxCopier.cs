using System.Globalization;

namespace EmailRelay.Spool;

/// <summary>
/// Places a message's files in a mailbox directory, for <c>copy:</c> and <c>deliver:</c> (reference §c): a
/// directory with <c>tmp</c>, <c>cur</c> and <c>new</c> is a maildir and gets the content alone in <c>new/</c> by way
/// of <c>tmp/</c>, named <c>&lt;time&gt;.&lt;pid&gt;.&lt;host&gt;.&lt;seq&gt;</c>; any other directory gets
/// <c>&lt;id&gt;.envelope</c> and, unless envelope-only, <c>&lt;id&gt;.content</c>, copied or hard-linked.
/// </summary>
internal sealed class MailboxCopier
{
    private readonly TimeProvider _timeProvider;
    private readonly Action<string> _syncFile;
    private readonly Action<string> _syncDirectory;
    private static long s_sequence;

    /// <summary>
    /// Creates the copier. Every file it places, and the directory it places it in, is synced before
    /// <see cref="Place"/> returns, so the caller may then delete the spool's files (<c>deliver:</c>).
    /// <paramref name="syncFile"/> and <paramref name="syncDirectory"/> are the fsyncs (seams for tests).
    /// </summary>
    public MailboxCopier(TimeProvider timeProvider, Action<string>? syncFile = null, Action<string>? syncDirectory = null)
    {
        _timeProvider = timeProvider;
        _syncFile = syncFile ?? SyncFile;
        _syncDirectory = syncDirectory ?? SpoolNative.SyncDirectory;
    }

    /// <summary>Creates <paramref name="directory"/> if it is missing, syncing its parent so that the new entry is durable.</summary>
    public void EnsureDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory);
            _syncDirectory(Path.GetDirectoryName(Path.GetFullPath(directory))!);
        }
    }

    /// <summary>True if <paramref name="directory"/> has the <c>tmp</c>, <c>cur</c> and <c>new</c> of a maildir.</summary>
    public static bool IsMaildir(string directory)
        => Directory.Exists(Path.Combine(directory, "tmp")) && Directory.Exists(Path.Combine(directory, "cur")) && Directory.Exists(Path.Combine(directory, "new"));

    /// <summary>Places the message in <paramref name="directory"/>.</summary>
    /// <param name="directory">The mailbox directory (it exists).</param>
    /// <param name="id">The message id: the copy's file names.</param>
    /// <param name="contentPath">The content file.</param>
    /// <param name="envelopePath">The envelope file (any state suffix; the copy is named <c>&lt;id&gt;.envelope</c>).</param>
    /// <param name="envelopeOnly">Copy only the envelope (the <c>pop</c> option); a maildir still gets the content.</param>
    /// <param name="hardlink">Hard-link the content instead of copying it.</param>
    public void Place(string directory, string id, string contentPath, string envelopePath, bool envelopeOnly, bool hardlink)
    {
        if (IsMaildir(directory))
        {
            var file = MaildirName();
            var temp = Path.Combine(directory, "tmp", file);
            CopyOrLink(contentPath, temp, hardlink);
            File.Move(temp, Path.Combine(directory, "new", file));
            _syncDirectory(Path.Combine(directory, "new"));
            return;
        }

        CopyOrLink(envelopePath, Path.Combine(directory, id + ".envelope"), false);
        if (!envelopeOnly)
        {
            CopyOrLink(contentPath, Path.Combine(directory, id + ".content"), hardlink);
        }

        _syncDirectory(directory);
    }

    private static void SyncFile(string path)
    {
        using var handle = File.OpenHandle(path);
        SpoolNative.SyncData(handle, path);
    }

    private void CopyOrLink(string source, string target, bool hardlink)
    {
        if (hardlink)
        {
            HardLinks.Create(source, target);
        }
        else
        {
            File.Copy(source, target, overwrite: false);
            _syncFile(target);
        }
    }

    private string MaildirName()
    {
        var now = _timeProvider.GetUtcNow();
        var inv = CultureInfo.InvariantCulture;
        return string.Concat(
            now.ToUnixTimeSeconds().ToString(inv), ".",
            Environment.ProcessId.ToString(inv), ".",
            Environment.MachineName, ".",
            Interlocked.Increment(ref s_sequence).ToString(inv));
    }
}
