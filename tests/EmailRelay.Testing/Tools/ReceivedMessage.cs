namespace EmailRelay.Testing.Tools;

/// <summary>One message an <see cref="AiosmtpdServer"/> received.</summary>
/// <param name="File">The content file it was written to.</param>
/// <param name="From">MAIL FROM, without angle brackets.</param>
/// <param name="To">The RCPT TO addresses, in order.</param>
/// <param name="Content">The DATA bytes as received (dot-unstuffed, CRLF line endings).</param>
public sealed record ReceivedMessage(string File, string From, IReadOnlyList<string> To, byte[] Content);
