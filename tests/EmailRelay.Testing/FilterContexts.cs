using EmailRelay.Filters;
using EmailRelay.Protocol.Mail;
using EmailRelay.Spool;

namespace EmailRelay.Testing;

/// <summary>Filter contexts for filter tests: a message's two files in a directory, or a message in a <see cref="MemorySpool"/>.</summary>
public static class FilterContexts
{
    /// <summary>A context over <paramref name="contentPath"/> and <paramref name="envelopePath"/> (as <c>emailrelay-filter-copy</c> gets them).</summary>
    public static FilterContext ForFiles(string id, string contentPath, string envelopePath, bool serverSide = true, TimeProvider? timeProvider = null)
        => new(FileFilterMessage.ForFiles(new MessageId(id), contentPath, envelopePath, timeProvider ?? TimeProvider.System), serverSide);

    /// <summary>A context over a message in a new <see cref="MemorySpool"/> (no files).</summary>
    public static FilterContext InMemory(string content = "Subject: x\r\n\r\nbody\r\n", bool serverSide = true)
    {
        var spool = new MemorySpool();
        var id = spool.Add(new Envelope(), System.Text.Encoding.ASCII.GetBytes(content));
        return new(new MemoryFilterMessage(spool, id, null), serverSide);
    }

    /// <summary>The content path of a file-backed context.</summary>
    public static string ContentPath(this FilterContext context)
        => (context ?? throw new ArgumentNullException(nameof(context))).Message.Files?.ContentPath ?? throw new InvalidOperationException("no files");

    /// <summary>The envelope path of a file-backed context.</summary>
    public static string EnvelopePath(this FilterContext context)
        => (context ?? throw new ArgumentNullException(nameof(context))).Message.Files?.EnvelopePath ?? throw new InvalidOperationException("no files");
}
