namespace EmailRelay.Protocol.Mail;

/// <summary>Stand-in until the codecs branch is merged.</summary>
/// <param name="RequireAngleBrackets">Strict.</param>
/// <param name="ConvertToALabels">A-labels.</param>
internal readonly record struct MailboxParseOptions(bool RequireAngleBrackets, bool ConvertToALabels);
