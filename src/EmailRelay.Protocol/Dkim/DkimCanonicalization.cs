namespace EmailRelay.Protocol.Dkim;

/// <summary>A DKIM canonicalization algorithm (RFC 6376 §3.4), for the header or the body.</summary>
public enum DkimCanonicalization
{
    /// <summary><c>relaxed</c>: whitespace runs folded to one space, trailing whitespace removed; header names lowercased and fields unfolded.</summary>
    Relaxed,

    /// <summary><c>simple</c>: the text as it is, except for trailing empty lines of the body.</summary>
    Simple,
}
