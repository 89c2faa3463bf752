namespace EmailRelay.Protocol.Admin;

/// <summary>What the driver does after one admin line.</summary>
/// <param name="Command">The parsed command.</param>
/// <param name="Output">Text to send now (a whole reply with its prompt); empty when <paramref name="NeedsRelay"/>.</param>
/// <param name="NeedsRelay">True when the driver must act on the relay and then send <see cref="AdminSession.Reply"/>'s text.</param>
/// <param name="Close">True when the connection closes after <paramref name="Output"/> (<c>quit</c>, too many errors).</param>
public readonly record struct AdminStep(AdminCommand Command, string Output, bool NeedsRelay, bool Close);
