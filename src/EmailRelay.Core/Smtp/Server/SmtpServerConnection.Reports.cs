using System.Net;
using EmailRelay.Events;
using EmailRelay.Net;
using EmailRelay.Protocol.Smtp.Server;

namespace EmailRelay.Smtp.Server;

/// <summary>
/// The SMTP server connection's reports: the session's events as log lines, typed events and close reasons, and the
/// peer and TLS facts the session is given (a part of <see cref="SmtpServerConnection"/>, kept apart so that the
/// driver's loop reads in one file under the size rule).
/// </summary>
internal sealed partial class SmtpServerConnection
{
    private TlsInfo TlsInfoOf(Stream stream)
    {
        var cipher = _services.TlsCipher?.Invoke(stream) ?? "";
        var certificate = _services.TlsClientCertificate?.Invoke(stream) ?? "";
        Log.TlsEstablished(_logger, EndPointText.Format(_remoteEndPoint), Tls.TlsServer.ProtocolName(stream), Tls.TlsServer.CipherName(stream));
        _services.Events.Connection(RelayEventKind.TlsEstablished, RelayService.Smtp, _connectionId, Tls.TlsServer.ProtocolName(stream));
        return new TlsInfo(cipher) { ClientCertificate = certificate };
    }

    private void LogEvent(SessionEvent ev)
    {
        switch (ev.Kind)
        {
            case SessionEventKind.EmptyReturnPath:
                Log.EmptyReturnPath(_logger);
                break;
            case SessionEventKind.RecipientRejected:
                Log.RejectingRecipient(_logger, ev.Address, ev.Response, ev.Reason);
                break;
            case SessionEventKind.ErrorLimitReached:
                _connection.CloseReason = "too many protocol errors";
                Log.ErrorLimitReached(_logger, ev.Response);
                break;
            case SessionEventKind.VerifierAbort:
                _connection.CloseReason = "address verifier abort";
                break;
            case SessionEventKind.AuthSucceeded:
                Log.AuthSucceeded(_logger, ev.Response.ToLowerInvariant(), ev.Reason);
                _services.Events.Connection(RelayEventKind.AuthSucceeded, RelayService.Smtp, _connectionId, ev.Response);
                break;
            case SessionEventKind.AuthFailed:
                Log.AuthFailed(_logger, ev.Address, ev.Response);
                _services.Events.Connection(RelayEventKind.AuthFailed, RelayService.Smtp, _connectionId, ev.Response);
                if (_session.InputMode == InputMode.Closed)
                {
                    _connection.CloseReason = "too many authentication failures";
                }

                break;
            case SessionEventKind.AuthNotAdvertised:
                Log.AuthNotAdvertised(_logger, ev.Reason);
                break;
            case SessionEventKind.MessageTooBig or SessionEventKind.BareNewlineRejected:
                Log.MessageRejected(_logger, ev.Kind.ToString());
                break;
        }
    }

    private static PeerInfo ToPeerInfo(EndPoint? endPoint)
    {
        if (endPoint is IPEndPoint ip)
        {
            var address = ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address;
            var text = address.ToString();
            return new PeerInfo(text, text + ":" + ip.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var name = endPoint?.ToString() ?? "";
        return new PeerInfo(name, name);
    }
}
