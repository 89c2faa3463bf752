using System.Globalization;
using System.Text;
using EmailRelay.Protocol.Mail;

namespace EmailRelay.Protocol.Storage;

/// <summary>
/// E-MailRelay's envelope file (reference §b "Envelope file layout"): writes <c>#2821.8</c> byte for
/// byte and reads <c>#2821.3</c> to <c>#2821.8</c>. Pure functions over bytes; bad input gives an
/// error result, never an exception.
/// </summary>
/// <remarks>
/// Text is UTF-8 (an SMTPUTF8 message may carry UTF-8 addresses). Writing uses CRLF unless
/// <see cref="Envelope.UsesLfLineEndings"/> is set (a rewrite of an LF-only file keeps its ending).
/// </remarks>
internal static class EnvelopeFormat
{
    /// <summary>The format written.</summary>
    public const string CurrentFormat = "#2821.8";

    private const string Prefix = "X-MailRelay-";

    /// <summary>Writes the envelope in the current format.</summary>
    public static byte[] Write(Envelope envelope) => Encoding.UTF8.GetBytes(WriteText(envelope));

    /// <summary>Writes the envelope in the current format, as text.</summary>
    public static string WriteText(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        string eol = envelope.UsesLfLineEndings ? "\n" : "\r\n";
        var sb = new StringBuilder(512);
        void Field(string name, string value) => sb.Append(Prefix).Append(name).Append(": ").Append(value).Append(eol);

        Field("Format", CurrentFormat);
        Field("Content", BodyText(envelope.Body));
        Field("From", envelope.From);
        Field("ToCount", (envelope.ToLocal.Count + envelope.ToRemote.Count).ToString(CultureInfo.InvariantCulture));
        foreach (string to in envelope.ToLocal)
        {
            Field("To-Local", to);
        }

        foreach (string to in envelope.ToRemote)
        {
            Field("To-Remote", to);
        }

        Field("Authentication", EnvelopeXtext.Encode(envelope.Authentication));
        Field("Client", envelope.ClientAddress);
        Field("ClientCertificate", Fold(envelope.ClientCertificate, eol));
        Field("MailFromAuthIn", envelope.MailFromAuthIn);
        Field("MailFromAuthOut", envelope.MailFromAuthOut);
        Field("ForwardTo", envelope.ForwardTo);
        Field("ForwardToAddress", envelope.ForwardToAddress);
        Field("ClientAccountSelector", envelope.ClientAccountSelector);
        Field("Utf8MailboxNames", envelope.Utf8MailboxNames ? "1" : "0");
        Field("End", "1");
        foreach (string line in envelope.Trailer)
        {
            sb.Append(line).Append(eol);
        }

        return sb.ToString();
    }

    /// <summary>
    /// The Reason and ReasonCode lines appended when a message fails or is deferred: the reason reduced
    /// to printable ASCII, and <c>X-MailRelay-ReasonCode:</c> with no trailing space when the code is 0.
    /// </summary>
    public static string ReasonLines(string reason, int reasonCode, bool useLfLineEndings)
    {
        string eol = useLfLineEndings ? "\n" : "\r\n";
        string code = reasonCode == 0 ? "" : " " + reasonCode.ToString(CultureInfo.InvariantCulture);
        return Prefix + "Reason: " + Printable(reason) + eol + Prefix + "ReasonCode:" + code + eol;
    }

    /// <summary>
    /// Appends Reason and ReasonCode lines to an envelope file's bytes, with the file's own line ending
    /// (a final line without an ending gets one first).
    /// </summary>
    public static byte[] AppendReason(ReadOnlySpan<byte> file, string reason, int reasonCode)
    {
        bool lf = UsesLfOnly(file);
        string eol = lf ? "\n" : "\r\n";
        string prefix = file.Length > 0 && file[^1] != (byte)'\n' ? eol : "";
        byte[] tail = Encoding.UTF8.GetBytes(prefix + ReasonLines(reason, reasonCode, lf));
        var result = new byte[file.Length + tail.Length];
        file.CopyTo(result);
        tail.CopyTo(result.AsSpan(file.Length));
        return result;
    }

    /// <summary>Reads an envelope file.</summary>
    public static EnvelopeReadResult Read(ReadOnlySpan<byte> file)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(file);
        }
        catch (DecoderFallbackException)
        {
            return new(null, "invalid utf-8");
        }

        return Read(text);
    }

    /// <summary>Reads an envelope file's text.</summary>
    public static EnvelopeReadResult Read(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new EnvelopeReader(text).Read();
    }

    /// <summary>True if the first line ends with a bare LF (E-MailRelay notes this per file).</summary>
    public static bool UsesLfOnly(ReadOnlySpan<byte> file)
    {
        int lf = file.IndexOf((byte)'\n');
        return lf >= 0 && (lf == 0 || file[lf - 1] != (byte)'\r');
    }

    internal static string BodyText(BodyType body) => body switch
    {
        BodyType.SevenBit => "7bit",
        BodyType.EightBitMime => "8bit",
        BodyType.BinaryMime => "binarymime",
        _ => "unknown",
    };

    internal static BodyType ParseBody(string text) => text switch
    {
        "7bit" => BodyType.SevenBit,
        "8bit" => BodyType.EightBitMime,
        "binarymime" => BodyType.BinaryMime,
        _ => BodyType.Unknown,
    };

    private static string Fold(string value, string eol)
        => value.Length == 0 ? value : value.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", eol + " ", StringComparison.Ordinal);

    private static string Printable(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (c is >= ' ' and <= '~')
            {
                sb.Append(c);
            }
            else if (c is '\t' or '\r' or '\n')
            {
                sb.Append(' ');
            }
        }

        return sb.ToString();
    }
}
