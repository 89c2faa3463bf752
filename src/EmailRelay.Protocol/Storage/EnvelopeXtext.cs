using System.Text;

namespace EmailRelay.Protocol.Storage;

/// <summary>
/// The RFC 3461 §4 xtext codec, private to the envelope format (the shared <c>Text/Xtext</c> belongs
/// to another branch). Encoding: printable ASCII <c>!</c>..<c>~</c> except <c>+</c> and <c>=</c> is
/// literal; every other byte of the UTF-8 form becomes <c>+XX</c> (upper-case hex).
/// Decoding is lenient: a malformed <c>+</c> sequence is kept literally.
/// </summary>
internal static class EnvelopeXtext
{
    /// <summary>Encodes text as xtext.</summary>
    public static string Encode(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            if (b is >= 0x21 and <= 0x7E && b != (byte)'+' && b != (byte)'=')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('+').Append(Convert.ToHexString([b]));
            }
        }

        return builder.ToString();
    }

    /// <summary>Decodes xtext; malformed escapes are kept as they are.</summary>
    public static string Decode(string text)
    {
        if (!text.Contains('+', StringComparison.Ordinal))
        {
            return text;
        }

        byte[] input = Encoding.UTF8.GetBytes(text);
        var output = new byte[input.Length];
        int length = 0;
        for (int i = 0; i < input.Length; i++)
        {
            if (input[i] == (byte)'+' && i + 2 < input.Length && IsHex(input[i + 1]) && IsHex(input[i + 2]))
            {
                output[length++] = (byte)((HexValue(input[i + 1]) << 4) | HexValue(input[i + 2]));
                i += 2;
            }
            else
            {
                output[length++] = input[i];
            }
        }

        return Encoding.UTF8.GetString(output, 0, length);
    }

    private static bool IsHex(byte b) => char.IsAsciiHexDigit((char)b);

    private static int HexValue(byte b) => b <= (byte)'9' ? b - '0' : (b | 0x20) - 'a' + 10;
}
