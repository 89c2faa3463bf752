using System.Text;
using EmailRelay.Protocol.Dkim;

namespace EmailRelay.Filters.Dkim;

/// <summary>
/// Computes the DKIM-Signature fields of one message read once from a stream: the header section (at most
/// <see cref="DkimHeaderReader.MaxHeaderBytes"/>) is held, the body is hashed as it streams through the caller's
/// buffer. Synchronous by design: it is pure CPU over a file, run off the I/O path by <see cref="DkimFilter"/>,
/// and what it allocates does not depend on the body's size.
/// </summary>
internal sealed class DkimMessageSigner
{
    private readonly IReadOnlyList<DkimSigner> _signers;

    /// <summary>Creates the signer for one or more signatures.</summary>
    public DkimMessageSigner(IReadOnlyList<DkimSigner> signers)
    {
        ArgumentNullException.ThrowIfNull(signers);
        _signers = signers;
    }

    /// <summary>The signatures, in the order they are configured.</summary>
    public IReadOnlyList<DkimSigner> Signers => _signers;

    /// <summary>Reads <paramref name="content"/> to its end and returns the fields to add at its top (ASCII, CRLF).</summary>
    /// <param name="content">The message content, positioned at its start.</param>
    /// <param name="timestamp">The <c>t=</c> value (Unix seconds), or null for none.</param>
    /// <param name="buffer">The read buffer (its size is all the body costs).</param>
    /// <param name="skipped">Why nothing was signed, when the result is null: the sender's domain is not configured, or the header section is too long.</param>
    /// <returns>The DKIM-Signature fields, or null when no signature applies.</returns>
    public byte[]? Sign(Stream content, long? timestamp, byte[] buffer, out string skipped)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(buffer);
        skipped = "";
        var header = new DkimHeaderReader();
        int read = 0;
        int consumed = 0;
        while (!header.IsComplete)
        {
            read = content.Read(buffer);
            if (read == 0)
            {
                header.Finish();
                break;
            }

            consumed = header.Append(buffer.AsSpan(0, read));
        }

        if (header.IsTooLong)
        {
            skipped = "header section too long";
            return null;
        }

        var fields = header.Fields();
        var from = DkimFromDomain.Find(fields);
        var applicable = new List<DkimSigner>();
        foreach (var signer in _signers)
        {
            if (signer.Settings.AppliesTo(from))
            {
                applicable.Add(signer);
            }
        }

        if (applicable.Count == 0)
        {
            skipped = from is null ? "no From address" : "no dkim key for " + from;
            return null;
        }

        using var relaxedHash = new HashSink();
        using var simpleHash = new HashSink();
        var relaxed = applicable.Exists(s => s.Settings.BodyCanonicalization == DkimCanonicalization.Relaxed) ? new DkimBodyCanonicalizer(DkimCanonicalization.Relaxed, relaxedHash) : null;
        var simple = applicable.Exists(s => s.Settings.BodyCanonicalization == DkimCanonicalization.Simple) ? new DkimBodyCanonicalizer(DkimCanonicalization.Simple, simpleHash) : null;
        var chunk = buffer.AsSpan(consumed, read - consumed);
        do
        {
            relaxed?.Append(chunk);
            simple?.Append(chunk);
            read = content.Read(buffer);
            chunk = buffer.AsSpan(0, read);
        }
        while (read != 0);

        relaxed?.Finish();
        simple?.Finish();
        var relaxedBodyHash = relaxed is null ? [] : relaxedHash.Finish();
        var simpleBodyHash = simple is null ? [] : simpleHash.Finish();
        var text = new StringBuilder();
        foreach (var signer in applicable)
        {
            var bodyHash = signer.Settings.BodyCanonicalization == DkimCanonicalization.Relaxed ? relaxedBodyHash : simpleBodyHash;
            text.Append(signer.SignatureField(fields, bodyHash, timestamp));
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }
}
