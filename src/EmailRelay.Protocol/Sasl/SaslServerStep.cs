namespace EmailRelay.Protocol.Sasl;

/// <summary>One step of a server-side SASL exchange.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Challenge">For <see cref="SaslServerStatus.Challenge"/>: the base64 challenge (may be empty).</param>
internal readonly record struct SaslServerStep(SaslServerStatus Status, string Challenge = "")
{
    /// <summary>A successful end.</summary>
    public static SaslServerStep Success { get; } = new(SaslServerStatus.Success);

    /// <summary>A failed end.</summary>
    public static SaslServerStep Failure { get; } = new(SaslServerStatus.Failure);

    /// <summary>A malformed response.</summary>
    public static SaslServerStep Malformed { get; } = new(SaslServerStatus.Malformed);

    /// <summary>A challenge of raw bytes, base64-encoded.</summary>
    public static SaslServerStep ChallengeOf(ReadOnlySpan<byte> challenge) => new(SaslServerStatus.Challenge, SaslBase64.Encode(challenge));
}
