namespace EmailRelay.Protocol.Mail;

/// <summary>Stand-in until the codecs branch is merged.</summary>
/// <param name="Success">Ok.</param>
/// <param name="Address">Address.</param>
/// <param name="HasUtf8LocalPart">UTF-8.</param>
/// <param name="ParametersStart">Index after the mailbox.</param>
/// <param name="Error">Reason.</param>
internal readonly record struct MailboxParseResult(bool Success, string Address, bool HasUtf8LocalPart, int ParametersStart, string Error);
