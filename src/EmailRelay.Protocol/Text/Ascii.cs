namespace EmailRelay.Protocol.Text;

/// <summary>
/// ASCII helpers for protocol text. SMTP, POP3 and the admin protocol are ASCII: every
/// comparison here is ordinal or ASCII case-insensitive, never culture-aware.
/// </summary>
public static class Ascii
{
    /// <summary>True if the two byte spans are equal ignoring ASCII case.</summary>
    public static bool EqualsIgnoreCase(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
        => System.Text.Ascii.EqualsIgnoreCase(left, right);
}
