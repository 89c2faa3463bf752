using System.Buffers.Text;
using System.Text;

namespace EmailRelay.Protocol.Sasl;

/// <summary>Strict base64 for SASL exchanges and secrets (RFC 4648 §4, padding required, no whitespace).</summary>
internal static class SaslBase64
{
    /// <summary>Encodes bytes.</summary>
    public static string Encode(ReadOnlySpan<byte> data) => Convert.ToBase64String(data);

    /// <summary>Encodes the UTF-8 form of <paramref name="text"/>.</summary>
    public static string EncodeText(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    /// <summary>Decodes strictly; false on any character outside the alphabet, bad padding or whitespace.</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, out byte[] data)
    {
        data = [];
        if (text.Length % 4 != 0)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '='))
            {
                return false;
            }
        }

        if (!Base64.IsValid(text, out int length))
        {
            return false;
        }

        data = new byte[length];
        return Convert.TryFromBase64Chars(text, data, out int written) && written == length;
    }
}
