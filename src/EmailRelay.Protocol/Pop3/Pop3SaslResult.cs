namespace EmailRelay.Protocol.Pop3;

/// <summary>The outcome of one SASL response: a further challenge, or done with the authenticated id (null for a failure).</summary>
/// <param name="IsDone">True when the exchange is over.</param>
/// <param name="UserId">When done: the authenticated id, or null if authentication failed.</param>
/// <param name="Challenge">When not done: the next challenge.</param>
internal readonly record struct Pop3SaslResult(bool IsDone, string? UserId, byte[]? Challenge)
{
    /// <summary>Done: success as <paramref name="userId"/>.</summary>
    public static Pop3SaslResult Success(string userId) => new(true, userId, null);

    /// <summary>Done: failure.</summary>
    public static Pop3SaslResult Failure { get; } = new(true, null, null);

    /// <summary>Not done: send <paramref name="challenge"/>.</summary>
    public static Pop3SaslResult Continue(byte[] challenge) => new(false, null, challenge);
}
