using System.Text;

namespace EmailRelay.Web.Queue;

/// <summary>
/// Decodes RFC 2047 encoded words (<c>=?charset?B|Q?text?=</c>) in a header value, for display. Charsets the runtime
/// does not know, and malformed words, are left as they were; whitespace between two adjacent encoded words is
/// dropped (RFC 2047 §6.2). The result is plain text, never markup.
/// </summary>
internal static class EncodedWords
{
    /// <summary>The decoded value.</summary>
    public static string Decode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.Contains("=?", StringComparison.Ordinal))
        {
            return value;
        }

        var result = new StringBuilder(value.Length);
        int i = 0;
        int pendingSpaceStart = -1;
        bool lastWasEncoded = false;
        while (i < value.Length)
        {
            if (value[i] == '=' && i + 1 < value.Length && value[i + 1] == '?' && TryWord(value, i, out int end, out string decoded))
            {
                if (lastWasEncoded && pendingSpaceStart >= 0)
                {
                    result.Length = pendingSpaceStart;
                }

                result.Append(decoded);
                i = end;
                lastWasEncoded = true;
                pendingSpaceStart = -1;
                continue;
            }

            if (value[i] is ' ' or '\t')
            {
                if (pendingSpaceStart < 0)
                {
                    pendingSpaceStart = result.Length;
                }
            }
            else
            {
                lastWasEncoded = false;
                pendingSpaceStart = -1;
            }

            result.Append(value[i]);
            i++;
        }

        return result.ToString();
    }

    private static bool TryWord(string value, int start, out int end, out string decoded)
    {
        end = start;
        decoded = "";
        int q1 = value.IndexOf('?', start + 2);
        if (q1 < 0 || q1 + 2 >= value.Length || value[q1 + 2] != '?')
        {
            return false;
        }

        int close = value.IndexOf("?=", q1 + 3, StringComparison.Ordinal);
        if (close < 0)
        {
            return false;
        }

        string charset = value[(start + 2)..q1];
        int star = charset.IndexOf('*', StringComparison.Ordinal);
        if (star >= 0)
        {
            charset = charset[..star];
        }

        char encoding = char.ToUpperInvariant(value[q1 + 1]);
        string text = value[(q1 + 3)..close];
        if (text.Contains(' ', StringComparison.Ordinal))
        {
            return false;
        }

        Encoding? charsetEncoding;
        try
        {
            charsetEncoding = Encoding.GetEncoding(charset);
        }
        catch (ArgumentException)
        {
            return false;
        }

        byte[] bytes;
        if (encoding == 'B')
        {
            try
            {
                bytes = Convert.FromBase64String(text);
            }
            catch (FormatException)
            {
                return false;
            }
        }
        else if (encoding == 'Q')
        {
            var list = new List<byte>(text.Length);
            for (int i = 0; i < text.Length; i++)
            {
                if (text[i] == '_')
                {
                    list.Add((byte)' ');
                }
                else if (text[i] == '=' && i + 2 < text.Length && Uri.IsHexDigit(text[i + 1]) && Uri.IsHexDigit(text[i + 2]))
                {
                    list.Add(Convert.ToByte(text.Substring(i + 1, 2), 16));
                    i += 2;
                }
                else
                {
                    list.Add((byte)text[i]);
                }
            }

            bytes = [.. list];
        }
        else
        {
            return false;
        }

        decoded = charsetEncoding.GetString(bytes);
        end = close + 2;
        return true;
    }
}
