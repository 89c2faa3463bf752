namespace EmailRelay.Protocol.Smtp.Server;

/// <summary>The connected peer as the session reports it.</summary>
/// <param name="Address">The IP address without the port (Received line, envelope <c>X-MailRelay-Client</c>).</param>
/// <param name="Endpoint">The peer as <c>ip:port</c> (verifier argument, logs).</param>
internal sealed record PeerInfo(string Address, string Endpoint);
