using EmailRelay.Protocol.Dkim;

namespace EmailRelay.Protocol.Tests.Dkim;

/// <summary>An <see cref="IByteSink"/> that keeps what it is given.</summary>
internal sealed class CollectingSink : IByteSink
{
    private readonly List<byte> _bytes = [];

    public void Write(ReadOnlySpan<byte> data) => _bytes.AddRange(data);

    public byte[] ToArray() => [.. _bytes];

    public override string ToString() => System.Text.Encoding.Latin1.GetString([.. _bytes]);
}
