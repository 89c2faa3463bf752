using EmailRelay.Protocol.Mail;

namespace EmailRelay.Diagnostics;

/// <summary>
/// The logging scope of one message on the forwarding side. With <c>--log-format=msgid</c> the CLI's
/// provider prints it as <c>(&lt;pid&gt;.&lt;time&gt;.&lt;seq&gt;) </c>: the id without its <c>emailrelay.</c> prefix.
/// </summary>
/// <param name="Id">The message id.</param>
public sealed record MessageLogScope(MessageId Id);
