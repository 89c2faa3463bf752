namespace EmailRelay.Protocol.Text;

/// <summary>Stand-in until the codecs branch is merged.</summary>
internal enum LineStatus
{
    /// <summary>A line.</summary>
    Line,

    /// <summary>Incomplete.</summary>
    Incomplete,

    /// <summary>Too long.</summary>
    TooLong,
}
