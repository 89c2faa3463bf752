using System.Text;

namespace EmailRelay.Protocol.Text;

/// <summary>
/// RFC 3461 §4 xtext, used for <c>AUTH=</c> and the secrets file (reference §d): every byte outside
/// <c>!</c>..<c>~</c>, and <c>+</c> and <c>=</c>, is written as <c>+XX</c> with upper-case hex, so
/// <c>my+20password</c> is "my password" and <c>e+3Dmc2</c> is "e=mc2". Text is UTF-8 underneath.
/// </summary>
internal static class Xtext
{
    private const string HexDigits = "0123456789ABCDEF";

    /// <summary>Encodes <paramref name="text"/> (as UTF-8) to xtext.</summary>
    public static string Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        var result = new StringBuilder(bytes.Length);
        foreach (byte b in bytes)
        {
            if (IsXchar(b))
            {
                result.Append((char)b);
            }
            else
            {
                result.Append('+').Append(HexDigits[b >> 4]).Append(HexDigits[b & 0xF]);
            }
        }

        return result.ToString();
    }

    /// <summary>
    /// Decodes xtext. Lenient on input (Postel): lower-case hex digits are accepted. Fails on a
    /// <c>+</c> without two hex digits, on characters outside <c>!</c>..<c>~</c>, or if the decoded
    /// bytes are not valid UTF-8.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<char> text, out string decoded)
    {
        decoded = string.Empty;
        var bytes = new byte[text.Length];
        int n = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '+')
            {
                if (i + 2 >= text.Length || !char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2]))
                {
                    return false;
                }

                bytes[n++] = (byte)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2]));
                i += 2;
            }
            else if (c is >= '!' and <= '~')
            {
                bytes[n++] = (byte)c;
            }
            else
            {
                return false;
            }
        }

        if (!System.Text.Unicode.Utf8.IsValid(bytes.AsSpan(0, n)))
        {
            return false;
        }

        decoded = Encoding.UTF8.GetString(bytes, 0, n);
        return true;
    }

    /// <summary>True if <paramref name="text"/> is strict RFC 3461 xtext: xchars, and <c>+</c> with two upper-case hex digits.</summary>
    public static bool IsValid(ReadOnlySpan<char> text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '+')
            {
                if (i + 2 >= text.Length || !char.IsAsciiHexDigitUpper(text[i + 1]) || !char.IsAsciiHexDigitUpper(text[i + 2]))
                {
                    return false;
                }

                i += 2;
            }
            else if (c > 0x7F || !IsXchar((byte)c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>As <see cref="IsValid(ReadOnlySpan{char})"/>, for protocol bytes (an <c>AUTH=</c> parameter).</summary>
    public static bool IsValid(ReadOnlySpan<byte> text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            byte b = text[i];
            if (b == '+')
            {
                if (i + 2 >= text.Length || !char.IsAsciiHexDigitUpper((char)text[i + 1]) || !char.IsAsciiHexDigitUpper((char)text[i + 2]))
                {
                    return false;
                }

                i += 2;
            }
            else if (!IsXchar(b))
            {
                return false;
            }
        }

        return true;
    }

    // RFC 3461: xchar = "!" (33) .. "~" (126) except "+" and "=".
    private static bool IsXchar(byte b) => b is >= (byte)'!' and <= (byte)'~' and not (byte)'+' and not (byte)'=';

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
