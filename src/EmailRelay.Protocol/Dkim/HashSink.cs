using System.Security.Cryptography;

namespace EmailRelay.Protocol.Dkim;

/// <summary>An <see cref="IByteSink"/> that feeds a SHA-256 hash; <see cref="Finish"/> gives the digest.</summary>
internal sealed class HashSink : IByteSink, IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <inheritdoc />
    public void Write(ReadOnlySpan<byte> data) => _hash.AppendData(data);

    /// <summary>The SHA-256 of everything written; the sink is reset and can be used again.</summary>
    public byte[] Finish() => _hash.GetHashAndReset();

    /// <inheritdoc />
    public void Dispose() => _hash.Dispose();
}
