namespace EmailRelay.Protocol.Dkim;

/// <summary>Where the DKIM canonicalizers write their output: a hash, or a buffer in tests.</summary>
internal interface IByteSink
{
    /// <summary>Takes the next bytes of output; the span is only valid during the call.</summary>
    void Write(ReadOnlySpan<byte> data);
}
