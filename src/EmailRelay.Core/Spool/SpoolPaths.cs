using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;

namespace EmailRelay.Spool;

/// <summary>
/// The names and paths of one spool directory in E-MailRelay's layout (reference §b), and its listing: the only
/// type that turns a message id into a file name. A <c>--pop-by-name</c> user directory takes a message's content
/// from its <see cref="SharedContentDirectory"/> (the main spool) when it has none of its own (reference §f).
/// </summary>
internal sealed class SpoolPaths
{
    /// <summary>The suffix of <see cref="Claim"/>.</summary>
    public const string ClaimSuffix = ".envelope.claim";

    /// <summary>Creates the paths of <paramref name="directory"/> (an absolute path).</summary>
    public SpoolPaths(string directory, string? sharedContentDirectory = null)
    {
        Directory = directory;
        SharedContentDirectory = sharedContentDirectory;
    }

    /// <summary>The spool directory's absolute path.</summary>
    public string Directory { get; }

    /// <summary>Where content is taken from when this directory has none (by name), or null.</summary>
    public string? SharedContentDirectory { get; }

    /// <summary>The path of one of <paramref name="id"/>'s files.</summary>
    public string Of(MessageId id, SpoolFileKind kind) => Path.Combine(Directory, SpoolNames.FileName(id, kind));

    /// <summary><c>&lt;id&gt;.envelope.claim</c>: a message between <c>.envelope</c> and <c>.envelope.busy</c>, named by us alone (every scanner ignores it).</summary>
    public string Claim(MessageId id) => Path.Combine(Directory, id.Value + ClaimSuffix);

    /// <summary>The content path: this directory's, else the <see cref="SharedContentDirectory"/>'s if it has one.</summary>
    public string Content(MessageId id)
    {
        string local = Of(id, SpoolFileKind.Content);
        if (SharedContentDirectory is null || File.Exists(local))
        {
            return local;
        }

        string shared = Path.Combine(SharedContentDirectory, SpoolNames.FileName(id, SpoolFileKind.Content));
        return File.Exists(shared) ? shared : local;
    }

    /// <summary>True if <paramref name="contentPath"/> is not in this directory (by name: the main spool's, shared).</summary>
    public bool IsShared(string contentPath) =>
        !string.Equals(Path.GetDirectoryName(contentPath), Directory, StringComparison.Ordinal);

    /// <summary>True if any of <paramref name="kinds"/> of <paramref name="id"/> exists.</summary>
    public bool IsNamed(MessageId id, params SpoolFileKind[] kinds) => Array.Exists(kinds, kind => File.Exists(Of(id, kind)));

    /// <summary>The ids with a <paramref name="kind"/> file and a content file (here or shared), in byte-wise lexical order.</summary>
    public List<MessageId> Scan(SpoolFileKind kind)
    {
        var contents = new HashSet<string>(StringComparer.Ordinal);
        var candidates = new List<MessageId>();
        foreach (string path in System.IO.Directory.EnumerateFiles(Directory))
        {
            if (SpoolNames.TryParse(Path.GetFileName(path), out MessageId id, out SpoolFileKind found))
            {
                if (found == SpoolFileKind.Content)
                {
                    contents.Add(id.Value);
                }
                else if (found == kind)
                {
                    candidates.Add(id);
                }
            }
        }

        candidates.RemoveAll(id => !contents.Contains(id.Value) &&
            (SharedContentDirectory is null || !File.Exists(Path.Combine(SharedContentDirectory, SpoolNames.FileName(id, SpoolFileKind.Content)))));
        candidates.Sort();
        return candidates;
    }
}
