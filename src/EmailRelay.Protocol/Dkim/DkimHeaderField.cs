namespace EmailRelay.Protocol.Dkim;

/// <summary>One header field of a message as it is in the content: its name and its raw bytes, folding and line end included.</summary>
/// <param name="Name">The field name (before the colon, trailing whitespace removed); empty for a line that is not a field.</param>
/// <param name="Raw">The field's bytes from the start of its name to the end of its last line, line end included.</param>
internal readonly record struct DkimHeaderField(string Name, ReadOnlyMemory<byte> Raw);
