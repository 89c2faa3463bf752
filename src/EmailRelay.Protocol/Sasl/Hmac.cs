namespace EmailRelay.Protocol.Sasl;

/// <summary>
/// HMAC (RFC 2104) over <see cref="ResumableHash"/>, including the "masked key" form E-MailRelay
/// stores in hashed secrets: the inner and outer chaining states after the key block, concatenated.
/// </summary>
internal static class Hmac
{
    /// <summary>HMAC of <paramref name="data"/> with <paramref name="key"/>.</summary>
    public static byte[] Compute(HashKind kind, ReadOnlySpan<byte> key, ReadOnlySpan<byte> data)
        => ComputeFromState(kind, MaskedState(kind, key), data);

    /// <summary>
    /// The inner state followed by the outer state after hashing <c>key ^ ipad</c> and <c>key ^ opad</c>:
    /// what <c>emailrelay-passwd</c> prints (base64) and what <c>md5</c> secrets hold.
    /// </summary>
    public static byte[] MaskedState(HashKind kind, ReadOnlySpan<byte> key)
    {
        var probe = ResumableHash.Create(kind);
        int blockSize = probe.BlockSize;
        byte[] k = key.Length > blockSize ? ResumableHash.Compute(kind, key) : key.ToArray();
        var ipad = new byte[blockSize];
        var opad = new byte[blockSize];
        for (int i = 0; i < blockSize; i++)
        {
            byte b = i < k.Length ? k[i] : (byte)0;
            ipad[i] = (byte)(b ^ 0x36);
            opad[i] = (byte)(b ^ 0x5c);
        }

        var inner = ResumableHash.Create(kind);
        inner.Update(ipad);
        var outer = ResumableHash.Create(kind);
        outer.Update(opad);
        byte[] result = new byte[probe.StateSize * 2];
        inner.SaveState().CopyTo(result, 0);
        outer.SaveState().CopyTo(result, probe.StateSize);
        return result;
    }

    /// <summary>The size of a masked state for <paramref name="kind"/>: twice the digest size.</summary>
    public static int MaskedStateSize(HashKind kind) => ResumableHash.Create(kind).StateSize * 2;

    /// <summary>HMAC of <paramref name="data"/> from a masked state (<see cref="MaskedState"/>).</summary>
    public static byte[] ComputeFromState(HashKind kind, ReadOnlySpan<byte> maskedState, ReadOnlySpan<byte> data)
    {
        int half = maskedState.Length / 2;
        var inner = ResumableHash.Resume(kind, maskedState[..half], 1);
        inner.Update(data);
        byte[] innerDigest = inner.Finish();
        var outer = ResumableHash.Resume(kind, maskedState[half..], 1);
        outer.Update(innerDigest);
        return outer.Finish();
    }
}
