using System.Buffers;

namespace EmailRelay.Smtp.Server;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> of bytes over an array rented from <see cref="ArrayPool{T}.Shared"/>: the
/// driver's decoded-content buffer, held from the first content of a message to its end instead of allocated per
/// message (a 4 KiB array per message was the largest allocation of the storing server). Calling sequence:
/// write, read <see cref="WrittenMemory"/>, <see cref="Clear"/>, repeat; <see cref="Release"/> when the message
/// ends (the writer can be used again afterwards). Not thread-safe.
/// </summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>
{
    private readonly int _initialSize;
    private byte[]? _buffer;
    private int _written;

    /// <summary>Creates the writer; nothing is rented until the first write.</summary>
    public PooledBufferWriter(int initialSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(initialSize);
        _initialSize = initialSize;
    }

    /// <summary>The bytes written since the last <see cref="Clear"/>; valid until the next write, clear or release.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer is null ? ReadOnlyMemory<byte>.Empty : _buffer.AsMemory(0, _written);

    /// <inheritdoc />
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_buffer is null || _written + count > _buffer.Length)
        {
            throw new InvalidOperationException("advanced past the end of the buffer");
        }

        _written += count;
    }

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0) => Reserve(sizeHint).AsMemory(_written);

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0) => Reserve(sizeHint).AsSpan(_written);

    /// <summary>Forgets the written bytes and keeps the buffer.</summary>
    public void Clear() => _written = 0;

    /// <summary>Returns the buffer to the pool.</summary>
    public void Release()
    {
        var buffer = _buffer;
        _buffer = null;
        _written = 0;
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private byte[] Reserve(int sizeHint)
    {
        var needed = _written + Math.Max(sizeHint, 1);
        if (_buffer is { } current && needed <= current.Length)
        {
            return current;
        }

        var grown = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(_initialSize, (_buffer?.Length ?? 0) * 2)));
        if (_buffer is { } old)
        {
            old.AsSpan(0, _written).CopyTo(grown);
            ArrayPool<byte>.Shared.Return(old);
        }

        _buffer = grown;
        return grown;
    }
}
