using EmailRelay.Protocol.Mail;

namespace EmailRelay.Protocol.Filters;

/// <summary>
/// The <c>net:</c> address-verifier line protocol (reference §c): the request is
/// <c>addr|from|ip:port|domain|mechanism|authid</c>; the reply is <c>0|mailbox|full name</c> (local),
/// <c>1|address</c> (remote), <c>2|response[|reason]</c> (invalid), <c>3|response[|reason]</c> (temporary),
/// <c>100</c> (abort); anything else is an invalid recipient.
/// </summary>
internal static class NetVerifierProtocol
{
    /// <summary>The response when the verifier dropped the connection during a request: <c>450 cannot verify</c>.</summary>
    public static VerifierResult Disconnected(string reason) => new(VerifierStatus.TemporaryFailure, "", "", "", "cannot verify", reason);

    /// <summary>Formats the request line (without the newline).</summary>
    public static string FormatRequest(string address, string from, string peer, string domain, string mechanism, string authId)
        => string.Join('|', address, from, peer, domain, mechanism, authId);

    /// <summary>Interprets one reply line.</summary>
    public static VerifierResult ParseReply(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var fields = line.Split('|');
        string Field(int i) => i < fields.Length ? fields[i] : "";
        string Response() => Field(1).Length > 0 ? Field(1) : VerifierExitCodes.DefaultResponse;
        string Reason() => fields.Length > 2 ? Field(2) : Response();
        return fields[0] switch
        {
            "0" when fields.Length >= 2 => new VerifierResult(VerifierStatus.Local, "", Field(1), Field(2), "", ""),
            "1" when fields.Length >= 2 && Field(1).Length > 0 => new VerifierResult(VerifierStatus.Remote, Field(1), "", "", "", ""),
            "3" => new VerifierResult(VerifierStatus.TemporaryFailure, "", "", "", Response(), Reason()),
            "100" => new VerifierResult(VerifierStatus.Abort, "", "", "", "", ""),
            "2" => new VerifierResult(VerifierStatus.PermanentFailure, "", "", "", Response(), Reason()),
            _ => new VerifierResult(VerifierStatus.PermanentFailure, "", "", "", VerifierExitCodes.DefaultResponse, "invalid verifier response: " + line),
        };
    }
}
