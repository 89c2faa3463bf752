namespace EmailRelay.Protocol.Pop3;

/// <summary>
/// The result of feeding the session one input: the reply lines to write (without CRLF, already
/// dot-stuffed where they are part of a multi-line reply), at most one operation, and an event to log.
/// </summary>
internal readonly record struct Pop3Step
{
    /// <summary>The reply lines, in order.</summary>
    public IReadOnlyList<string> Lines { get; init; }

    /// <summary>The operation to run next; null if none.</summary>
    public Pop3Operation? Operation { get; init; }

    /// <summary>What to log.</summary>
    public Pop3Event Event { get; init; }

    /// <summary>A step with one reply line.</summary>
    public static Pop3Step Reply(string line) => new() { Lines = [line] };
}
