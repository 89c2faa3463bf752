using System.Buffers.Binary;
using System.Numerics;

namespace EmailRelay.Protocol.Sasl;

/// <summary>MD5 (RFC 1321) with a saveable state.</summary>
internal sealed class Md5Hash : ResumableHash
{
    private static readonly uint[] s_k = BuildK();
    private static readonly int[] s_shift =
    [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ];

    private readonly uint[] _h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];

    /// <summary>Creates a fresh MD5.</summary>
    public Md5Hash()
        : base(64)
    {
    }

    /// <inheritdoc/>
    public override int StateSize => 16;

    /// <inheritdoc/>
    public override HashKind Kind => HashKind.Md5;

    /// <inheritdoc/>
    protected override bool LittleEndian => true;

    /// <inheritdoc/>
    protected override void Compress(ReadOnlySpan<byte> block)
    {
        Span<uint> m = stackalloc uint[16];
        for (int i = 0; i < 16; i++)
        {
            m[i] = BinaryPrimitives.ReadUInt32LittleEndian(block[(i * 4)..]);
        }

        uint a = _h[0], b = _h[1], c = _h[2], d = _h[3];
        for (int i = 0; i < 64; i++)
        {
            uint f;
            int g;
            if (i < 16)
            {
                f = (b & c) | (~b & d);
                g = i;
            }
            else if (i < 32)
            {
                f = (d & b) | (~d & c);
                g = ((5 * i) + 1) % 16;
            }
            else if (i < 48)
            {
                f = b ^ c ^ d;
                g = ((3 * i) + 5) % 16;
            }
            else
            {
                f = c ^ (b | ~d);
                g = (7 * i) % 16;
            }

            uint temp = d;
            d = c;
            c = b;
            b = unchecked(b + BitOperations.RotateLeft(unchecked(a + f + s_k[i] + m[g]), s_shift[i]));
            a = temp;
        }

        unchecked
        {
            _h[0] += a;
            _h[1] += b;
            _h[2] += c;
            _h[3] += d;
        }
    }

    /// <inheritdoc/>
    protected override void StoreState(Span<byte> destination)
    {
        for (int i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination[(i * 4)..], _h[i]);
        }
    }

    /// <inheritdoc/>
    protected override void LoadState(ReadOnlySpan<byte> source)
    {
        for (int i = 0; i < 4; i++)
        {
            _h[i] = BinaryPrimitives.ReadUInt32LittleEndian(source[(i * 4)..]);
        }
    }

    private static uint[] BuildK()
    {
        var k = new uint[64];
        for (int i = 0; i < 64; i++)
        {
            k[i] = (uint)(long)Math.Floor(Math.Abs(Math.Sin(i + 1)) * 4294967296.0);
        }

        return k;
    }
}
