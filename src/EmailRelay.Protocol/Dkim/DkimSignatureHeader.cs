using System.Globalization;
using System.Text;

namespace EmailRelay.Protocol.Dkim;

/// <summary>
/// Builds one DKIM-Signature field (RFC 6376 §3.5) and the hash of its signing input (§3.7). The field has no
/// <c>l=</c>; its <c>b=</c> comes last, unfolded, so every verifier removes exactly its value. The signing input is
/// the selected fields (each name in <c>h=</c> takes the next instance from the bottom; an <c>h=</c> entry with no
/// instance left adds nothing, which is how From is oversigned) and then this field with an empty <c>b=</c> and no
/// final CRLF.
/// </summary>
internal static class DkimSignatureHeader
{
    private const int FoldWidth = 76;

    /// <summary>The <c>h=</c> names: each of <paramref name="headers"/> as often as it occurs, From once more.</summary>
    public static IReadOnlyList<string> SignedNames(IReadOnlyList<DkimHeaderField> fields, IReadOnlyList<string> headers)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(headers);
        var names = new List<string>();
        foreach (var name in headers)
        {
            int count = 0;
            foreach (var field in fields)
            {
                if (field.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
                {
                    count++;
                }
            }

            if (name == "from")
            {
                count++;
            }

            for (int i = 0; i < count; i++)
            {
                names.Add(name);
            }
        }

        return names;
    }

    /// <summary>The field up to and including <c>b=</c> (no value, no line end).</summary>
    public static string Unsigned(DkimSignerSettings settings, DkimAlgorithm algorithm, IReadOnlyList<string> names, ReadOnlySpan<byte> bodyHash, long? timestamp)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(names);
        var text = new StringBuilder("DKIM-Signature:");
        int lineStart = 0;
        void Add(string piece, bool foldBefore = false)
        {
            if (foldBefore || text.Length - lineStart + 1 + piece.Length > FoldWidth)
            {
                text.Append("\r\n\t");
                lineStart = text.Length - 1;
            }
            else
            {
                text.Append(' ');
            }

            text.Append(piece);
        }

        Add("v=1;");
        Add(algorithm == DkimAlgorithm.Ed25519Sha256 ? "a=ed25519-sha256;" : "a=rsa-sha256;");
        Add(string.Concat("c=", Name(settings.HeaderCanonicalization), "/", Name(settings.BodyCanonicalization), ";"));
        Add(string.Concat("d=", settings.Domain, ";"));
        Add(string.Concat("s=", settings.Selector, ";"));
        if (timestamp is { } t)
        {
            Add(string.Concat("t=", t.ToString(CultureInfo.InvariantCulture), ";"));
        }

        for (int i = 0; i < names.Count; i++)
        {
            var piece = (i == 0 ? "h=" : "") + names[i] + (i == names.Count - 1 ? ";" : ":");
            if (i == 0 || text.Length - lineStart + piece.Length > FoldWidth)
            {
                Add(piece);
            }
            else
            {
                text.Append(piece);
            }
        }

        Add(string.Concat("bh=", Convert.ToBase64String(bodyHash), ";"), foldBefore: true);
        Add("b=", foldBefore: true);
        return text.ToString();
    }

    /// <summary>The SHA-256 of the signing input for <paramref name="unsignedField"/> (from <see cref="Unsigned"/>).</summary>
    public static byte[] SigningInputHash(IReadOnlyList<DkimHeaderField> fields, IReadOnlyList<string> names, DkimCanonicalization mode, string unsignedField)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(unsignedField);
        using var sink = new HashSink();
        var used = new bool[fields.Count];
        foreach (var name in names)
        {
            for (int i = fields.Count - 1; i >= 0; i--)
            {
                if (!used[i] && fields[i].Name.Equals(name, StringComparison.OrdinalIgnoreCase))
                {
                    used[i] = true;
                    DkimHeaderCanonicalizer.Write(fields[i].Raw.Span, mode, sink);
                    break;
                }
            }
        }

        DkimHeaderCanonicalizer.Write(Encoding.ASCII.GetBytes(unsignedField), mode, sink, finalLineEnd: false);
        return sink.Finish();
    }

    /// <summary>The whole field to add at the top of the message: <paramref name="unsignedField"/>, the signature, CRLF.</summary>
    public static string Complete(string unsignedField, ReadOnlySpan<byte> signature)
        => string.Concat(unsignedField, Convert.ToBase64String(signature), "\r\n");

    /// <summary>The tag text of a canonicalization.</summary>
    public static string Name(DkimCanonicalization mode) => mode == DkimCanonicalization.Simple ? "simple" : "relaxed";
}
