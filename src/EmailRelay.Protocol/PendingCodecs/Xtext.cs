namespace EmailRelay.Protocol.Text;

/// <summary>Stand-in until the codecs branch is merged.</summary>
internal static class Xtext
{
    /// <summary>RFC 3461 xtext validity.</summary>
    public static bool IsValid(ReadOnlySpan<byte> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is < 33 or > 126 or (byte)'=')
            {
                return false;
            }

            if (c == '+')
            {
                if (i + 2 >= text.Length || !char.IsAsciiHexDigitUpper((char)text[i + 1]) || !char.IsAsciiHexDigitUpper((char)text[i + 2]))
                {
                    return false;
                }

                i += 2;
            }
        }

        return true;
    }
}
