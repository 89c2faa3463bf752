namespace EmailRelay.Protocol.Filters;

/// <summary>The header of a spamd reply, as read by <see cref="SpamdProtocol.TryParseReplyHeader"/>.</summary>
/// <param name="IsSpam">True if the <c>Spam:</c> line says <c>True</c> (or <c>Yes</c>).</param>
/// <param name="Details">The text after the verdict on the <c>Spam:</c> line, e.g. <c>1003.3 / 5.0</c>.</param>
/// <param name="ContentLength">The <c>Content-length:</c> of the returned message, or null if none was given.</param>
internal readonly record struct SpamdReply(bool IsSpam, string Details, long? ContentLength);
