namespace EmailRelay.Protocol.Admin;

/// <summary>One parsed admin command line.</summary>
/// <param name="Kind">The command.</param>
/// <param name="Argument">The lower-cased first argument (<c>info version</c> → <c>version</c>), or empty.</param>
/// <param name="Seconds">For <c>dnsbl stop</c>, the timeout in seconds; 0 means until <c>dnsbl start</c>.</param>
public readonly record struct AdminCommand(AdminCommandKind Kind, string Argument = "", int Seconds = 0);
