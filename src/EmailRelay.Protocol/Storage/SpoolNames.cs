using System.Globalization;
using EmailRelay.Protocol.Mail;

namespace EmailRelay.Protocol.Storage;

/// <summary>
/// E-MailRelay's spool naming rules (reference §b "File names", "Envelope state suffixes"):
/// id ↔ file names ↔ state suffixes, matched by exact suffix, and the id text
/// <c>emailrelay.&lt;pid&gt;.&lt;unix-seconds&gt;.&lt;seq&gt;</c>. Pure: the pid and the time are passed in.
/// </summary>
internal static class SpoolNames
{
    /// <summary>Content file suffix.</summary>
    public const string ContentSuffix = ".content";

    /// <summary>Committed envelope suffix.</summary>
    public const string EnvelopeSuffix = ".envelope";

    /// <summary>New (uncommitted) envelope suffix.</summary>
    public const string EnvelopeNewSuffix = ".envelope.new";

    /// <summary>Locked envelope suffix.</summary>
    public const string EnvelopeBusySuffix = ".envelope.busy";

    /// <summary>Failed envelope suffix.</summary>
    public const string EnvelopeBadSuffix = ".envelope.bad";

    /// <summary>Transient edit of a locked envelope.</summary>
    public const string EnvelopeBusyTmpSuffix = ".envelope.busy.tmp";

    /// <summary>Transient edit of a new envelope.</summary>
    public const string EnvelopeNewTmpSuffix = ".envelope.new.tmp";

    /// <summary>Transient content rewrite.</summary>
    public const string ContentTmpSuffix = ".content.tmp";

    /// <summary>Owner-lock sidecar (ours; E-MailRelay ignores it because scanners match exact suffixes).</summary>
    public const string LockSuffix = ".lock";

    // Longest first, so ".envelope.busy.tmp" is not taken for ".tmp" of something else.
    private static readonly (string Suffix, SpoolFileKind Kind)[] s_suffixes =
    [
        (EnvelopeBusyTmpSuffix, SpoolFileKind.EnvelopeBusyTmp),
        (EnvelopeNewTmpSuffix, SpoolFileKind.EnvelopeNewTmp),
        (EnvelopeBusySuffix, SpoolFileKind.EnvelopeBusy),
        (EnvelopeBadSuffix, SpoolFileKind.EnvelopeBad),
        (EnvelopeNewSuffix, SpoolFileKind.EnvelopeNew),
        (ContentTmpSuffix, SpoolFileKind.ContentTmp),
        (EnvelopeSuffix, SpoolFileKind.Envelope),
        (ContentSuffix, SpoolFileKind.Content),
        (LockSuffix, SpoolFileKind.Lock),
    ];

    /// <summary>The suffix of one kind of file.</summary>
    public static string Suffix(SpoolFileKind kind) => kind switch
    {
        SpoolFileKind.Content => ContentSuffix,
        SpoolFileKind.Envelope => EnvelopeSuffix,
        SpoolFileKind.EnvelopeNew => EnvelopeNewSuffix,
        SpoolFileKind.EnvelopeBusy => EnvelopeBusySuffix,
        SpoolFileKind.EnvelopeBad => EnvelopeBadSuffix,
        SpoolFileKind.EnvelopeBusyTmp => EnvelopeBusyTmpSuffix,
        SpoolFileKind.EnvelopeNewTmp => EnvelopeNewTmpSuffix,
        SpoolFileKind.ContentTmp => ContentTmpSuffix,
        SpoolFileKind.Lock => LockSuffix,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The file name (no directory) of one of a message's files.</summary>
    public static string FileName(MessageId id, SpoolFileKind kind) => id.Value + Suffix(kind);

    /// <summary>
    /// Classifies a file name by its exact suffix and returns the id before it. A name that is only a
    /// suffix (e.g. <c>.envelope</c>) is not a spool file.
    /// </summary>
    public static bool TryParse(string fileName, out MessageId id, out SpoolFileKind kind)
    {
        foreach (var (suffix, k) in s_suffixes)
        {
            if (fileName.Length > suffix.Length && fileName.EndsWith(suffix, StringComparison.Ordinal))
            {
                id = new MessageId(fileName[..^suffix.Length]);
                kind = k;
                return true;
            }
        }

        id = default;
        kind = SpoolFileKind.None;
        return false;
    }

    /// <summary>The id text <c>emailrelay.&lt;pid&gt;.&lt;unix-seconds&gt;.&lt;seq&gt;</c>.</summary>
    public static MessageId FormatId(int processId, long unixSeconds, uint sequence)
        => new(string.Create(CultureInfo.InvariantCulture, $"emailrelay.{processId}.{unixSeconds}.{sequence}"));

    /// <summary>The next per-process sequence number: counts from 1 and skips 0 when it wraps.</summary>
    public static uint NextSequence(uint current) => current == uint.MaxValue ? 1 : current + 1;
}
