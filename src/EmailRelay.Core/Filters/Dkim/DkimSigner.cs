using EmailRelay.Protocol.Dkim;

namespace EmailRelay.Filters.Dkim;

/// <summary>One configured signature: its settings and its key. Safe to use from several messages at once.</summary>
internal sealed class DkimSigner : IDisposable
{
    private readonly DkimKey _key;
    private readonly Lock _lock = new();

    /// <summary>Creates the signer; the algorithm is the settings' or else the key's.</summary>
    public DkimSigner(DkimSignerSettings settings, DkimKey key)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(key);
        Settings = settings;
        _key = key;
    }

    /// <summary>The settings from the spec.</summary>
    public DkimSignerSettings Settings { get; }

    /// <summary>The algorithm signed with.</summary>
    public DkimAlgorithm Algorithm => _key.Algorithm;

    /// <summary>Loads the key and checks it against the settings; false with the start-up error otherwise.</summary>
    public static bool TryCreate(DkimSignerSettings settings, string keyPath, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DkimSigner? signer, out string error)
    {
        ArgumentNullException.ThrowIfNull(settings);
        signer = null;
        if (!DkimKey.TryLoad(keyPath, out var key, out error))
        {
            return false;
        }

        if (settings.Algorithm is { } algorithm && algorithm != key.Algorithm)
        {
            error = string.Concat("dkim key file \"", keyPath, "\" is not an ", algorithm == DkimAlgorithm.Ed25519Sha256 ? "Ed25519" : "RSA", " key");
            key.Dispose();
            return false;
        }

        signer = new DkimSigner(settings, key);
        return true;
    }

    /// <summary>The whole DKIM-Signature field (CRLF-terminated) for a message with these fields and body hash.</summary>
    public string SignatureField(IReadOnlyList<DkimHeaderField> fields, byte[] bodyHash, long? timestamp)
    {
        var names = DkimSignatureHeader.SignedNames(fields, Settings.Headers);
        var unsigned = DkimSignatureHeader.Unsigned(Settings, Algorithm, names, bodyHash, timestamp);
        var hash = DkimSignatureHeader.SigningInputHash(fields, names, Settings.HeaderCanonicalization, unsigned);
        byte[] signature;
        lock (_lock)
        {
            signature = _key.SignHash(hash);
        }

        return DkimSignatureHeader.Complete(unsigned, signature);
    }

    /// <inheritdoc />
    public void Dispose() => _key.Dispose();
}
