using System.Buffers.Binary;

namespace EmailRelay.Protocol.Sasl;

/// <summary>
/// A Merkle–Damgård hash whose chaining state can be saved at a block boundary and restored later,
/// which is what E-MailRelay's hashed secrets hold (the HMAC inner and outer states after the
/// padded key block). The BCL hides that state, so the four digests are written here.
/// </summary>
internal abstract class ResumableHash
{
    private readonly byte[] _block;
    private int _buffered;
    private ulong _length;

    /// <summary>Creates a hash with the given block size.</summary>
    protected ResumableHash(int blockSize)
    {
        _block = new byte[blockSize];
    }

    /// <summary>The block size in octets (64, or 128 for SHA-512).</summary>
    public int BlockSize => _block.Length;

    /// <summary>The size of the saved state in octets (equal to the digest size for these four).</summary>
    public abstract int StateSize { get; }

    /// <summary>The digest this is.</summary>
    public abstract HashKind Kind { get; }

    /// <summary>Creates a fresh hash of the given kind.</summary>
    public static ResumableHash Create(HashKind kind) => kind switch
    {
        HashKind.Md5 => new Md5Hash(),
        HashKind.Sha1 => new Sha1Hash(),
        HashKind.Sha256 => new Sha256Hash(),
        HashKind.Sha512 => new Sha512Hash(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>
    /// Creates a hash that continues from <paramref name="state"/> (from <see cref="SaveState"/>) as if
    /// <paramref name="blocks"/> whole blocks had already been hashed.
    /// </summary>
    public static ResumableHash Resume(HashKind kind, ReadOnlySpan<byte> state, int blocks)
    {
        var hash = Create(kind);
        if (state.Length != hash.StateSize)
        {
            throw new ArgumentException("wrong state size", nameof(state));
        }

        hash.LoadState(state);
        hash._length = (ulong)blocks * (ulong)hash.BlockSize;
        return hash;
    }

    /// <summary>The digest of <paramref name="data"/>.</summary>
    public static byte[] Compute(HashKind kind, ReadOnlySpan<byte> data)
    {
        var hash = Create(kind);
        hash.Update(data);
        return hash.Finish();
    }

    /// <summary>Hashes more data.</summary>
    public void Update(ReadOnlySpan<byte> data)
    {
        _length += (ulong)data.Length;
        if (_buffered > 0)
        {
            int take = Math.Min(data.Length, _block.Length - _buffered);
            data[..take].CopyTo(_block.AsSpan(_buffered));
            _buffered += take;
            data = data[take..];
            if (_buffered < _block.Length)
            {
                return;
            }

            Compress(_block);
            _buffered = 0;
        }

        while (data.Length >= _block.Length)
        {
            Compress(data[.._block.Length]);
            data = data[_block.Length..];
        }

        data.CopyTo(_block);
        _buffered = data.Length;
    }

    /// <summary>Saves the chaining state. Only valid at a block boundary.</summary>
    public byte[] SaveState()
    {
        if (_buffered != 0)
        {
            throw new InvalidOperationException("state can only be saved at a block boundary");
        }

        var state = new byte[StateSize];
        StoreState(state);
        return state;
    }

    /// <summary>Pads, finishes and returns the digest. The object must not be used afterwards.</summary>
    public byte[] Finish()
    {
        ulong bits = _length * 8;
        int lengthSize = BlockSize == 128 ? 16 : 8;
        Span<byte> pad = stackalloc byte[BlockSize * 2];
        pad.Clear();
        pad[0] = 0x80;
        int padLength = BlockSize - ((_buffered + 1 + lengthSize) % BlockSize);
        if (padLength == BlockSize)
        {
            padLength = 0;
        }

        int total = 1 + padLength + lengthSize;
        Span<byte> tail = pad[..total];
        if (LittleEndian)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(tail[^8..], bits);
        }
        else
        {
            BinaryPrimitives.WriteUInt64BigEndian(tail[^8..], bits);
        }

        ulong saved = _length;
        Update(tail);
        _length = saved;
        var digest = new byte[StateSize];
        StoreState(digest);
        return digest;
    }

    /// <summary>True for MD5, whose words and length are little-endian.</summary>
    protected virtual bool LittleEndian => false;

    /// <summary>Processes one block.</summary>
    protected abstract void Compress(ReadOnlySpan<byte> block);

    /// <summary>Writes the chaining words in digest byte order.</summary>
    protected abstract void StoreState(Span<byte> destination);

    /// <summary>Reads the chaining words from digest byte order.</summary>
    protected abstract void LoadState(ReadOnlySpan<byte> source);
}
