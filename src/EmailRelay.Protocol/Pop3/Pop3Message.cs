namespace EmailRelay.Protocol.Pop3;

/// <summary>One message of a maildrop listing: its size in octets and its unique id (the content file name).</summary>
/// <param name="Size">The content size in octets.</param>
/// <param name="Uid">The UIDL value.</param>
internal readonly record struct Pop3Message(long Size, string Uid);
