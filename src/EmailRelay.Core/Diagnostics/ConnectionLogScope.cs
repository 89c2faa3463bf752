using System.Net;

namespace EmailRelay.Diagnostics;

/// <summary>
/// The logging scope of one connection (<c>ILogger.BeginScope</c>). The CLI's log provider prints
/// it as E-MailRelay's line context: <c>[unit] </c> with <c>--log-format=unit</c>, and
/// <c>127.0.0.1; </c> or <c>127.0.0.1;43830: </c> with <c>--log-address</c> / <c>--log-format=address,port</c>.
/// </summary>
/// <param name="Unit">The configuration unit's name; empty for the first (unnamed) unit.</param>
/// <param name="Peer">The peer's address, or null (e.g. a unix socket peer).</param>
/// <param name="ConnectionId">The process-wide connection number.</param>
public sealed record ConnectionLogScope(string Unit, EndPoint? Peer, long ConnectionId);
