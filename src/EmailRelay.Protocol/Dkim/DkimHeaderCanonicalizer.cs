using System.Buffers;

namespace EmailRelay.Protocol.Dkim;

/// <summary>
/// DKIM header field canonicalization (RFC 6376 §3.4.1 <c>simple</c>, §3.4.2 <c>relaxed</c>) of one whole field.
/// Line ends are written as CRLF whatever the content has (the forwarder sends CRLF).
/// </summary>
internal static class DkimHeaderCanonicalizer
{
    /// <summary>Writes the canonical form of <paramref name="field"/> (its raw bytes, with or without its final line end).</summary>
    /// <param name="field">The raw field.</param>
    /// <param name="mode">The header canonicalization.</param>
    /// <param name="sink">The output.</param>
    /// <param name="finalLineEnd">False for the DKIM-Signature field itself, which is hashed without its final CRLF.</param>
    public static void Write(ReadOnlySpan<byte> field, DkimCanonicalization mode, IByteSink sink, bool finalLineEnd = true)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (field.EndsWith("\n"u8))
        {
            field = field[..^(field.EndsWith("\r\n"u8) ? 2 : 1)];
        }

        var buffer = ArrayPool<byte>.Shared.Rent((field.Length * 2) + 2);
        try
        {
            int length = mode == DkimCanonicalization.Relaxed ? Relaxed(field, buffer) : Simple(field, buffer);
            if (finalLineEnd)
            {
                buffer[length++] = (byte)'\r';
                buffer[length++] = (byte)'\n';
            }

            sink.Write(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int Simple(ReadOnlySpan<byte> field, byte[] output)
    {
        // Each bare LF becomes CRLF, so the output is at most twice the input (the buffer is rented that size).
        int length = 0;
        for (int i = 0; i < field.Length; i++)
        {
            byte b = field[i];
            if (b == (byte)'\n' && (i == 0 || field[i - 1] != (byte)'\r'))
            {
                output[length++] = (byte)'\r';
            }

            output[length++] = b;
        }

        return length;
    }

    private static int Relaxed(ReadOnlySpan<byte> field, byte[] output)
    {
        int colon = field.IndexOf((byte)':');
        var name = colon < 0 ? field : field[..colon];
        var value = colon < 0 ? [] : field[(colon + 1)..];
        int length = 0;
        name = name.TrimEnd(" \t\r\n"u8);
        foreach (var b in name)
        {
            output[length++] = b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;
        }

        if (colon < 0)
        {
            return length;
        }

        output[length++] = (byte)':';
        bool pendingSpace = false;
        bool wroteValue = false;
        foreach (var b in value)
        {
            switch (b)
            {
                case (byte)'\r' or (byte)'\n':
                    break;
                case (byte)' ' or (byte)'\t':
                    pendingSpace = true;
                    break;
                default:
                    if (pendingSpace && wroteValue)
                    {
                        output[length++] = (byte)' ';
                    }

                    pendingSpace = false;
                    wroteValue = true;
                    output[length++] = b;
                    break;
            }
        }

        return length;
    }
}
