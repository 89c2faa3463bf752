namespace EmailRelay.Protocol.Text;

/// <summary>The outcome of <see cref="LineFramer.TryReadLine"/>.</summary>
internal enum LineStatus
{
    /// <summary>A complete line was found.</summary>
    Line,

    /// <summary>No terminator yet, and the buffer is still within the limit: read more and try again.</summary>
    Incomplete,

    /// <summary>No terminator within the limit: discard up to the returned position and keep draining.</summary>
    TooLong,
}
