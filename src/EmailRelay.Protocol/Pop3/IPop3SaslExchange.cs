namespace EmailRelay.Protocol.Pop3;

/// <summary>
/// One server-side SASL exchange. Calling sequence: read <see cref="InitialChallenge"/> (sent unless the
/// client gave an initial response), then <see cref="Respond"/> with each decoded client response until
/// the result is done.
/// </summary>
internal interface IPop3SaslExchange
{
    /// <summary>The first challenge (empty for PLAIN; the CRAM challenge; <c>Username:</c> for LOGIN).</summary>
    ReadOnlySpan<byte> InitialChallenge { get; }

    /// <summary>Consumes one decoded response.</summary>
    Pop3SaslResult Respond(ReadOnlySpan<byte> response);
}
