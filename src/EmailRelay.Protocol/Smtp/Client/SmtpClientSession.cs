using System.Text;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Sasl;
using EmailRelay.Protocol.Text;

namespace EmailRelay.Protocol.Smtp.Client;

/// <summary>
/// The forwarding client's SMTP state machine (reference §i "Client protocol sequence" and "Failure handling",
/// differences 5, 8 and 13): greeting, EHLO with HELO fallback, STARTTLS and EHLO again, AUTH with mechanism
/// fall-through (reference §d "Client side"), MAIL with its parameters, RCPT for each remote
/// recipient (pipelined on request), DATA or BDAT, RSET after a rejected transaction, QUIT. It consumes parsed
/// replies and emits <see cref="ClientStep"/>s; it owns no socket, clock or content. Not thread-safe.
/// </summary>
internal sealed class SmtpClientSession
{
    /// <summary>The reason for a reply the protocol does not allow at that point (reference §i).</summary>
    public const string UnexpectedResponse = "unexpected response";

    /// <summary>The reason when some (or, without <c>--forward-to-some</c>, any) recipients were rejected.</summary>
    public const string SomeRecipientsRejected = "one or more recipients rejected";

    /// <summary>The reason when every recipient was rejected under <c>--forward-to-some</c>.</summary>
    public const string AllRecipientsRejected = "all recipients rejected";

    /// <summary>The strict-check failure for 8-bit content (reference §i).</summary>
    public const string EightBitRejected = "cannot send 8-bit message to 7-bit server";

    /// <summary>The strict-check failure for binary content.</summary>
    public const string BinaryMimeRejected = "cannot send binarymime message to a server without chunking";

    /// <summary>The strict-check failure for UTF-8 mailboxes.</summary>
    public const string SmtpUtf8Rejected = "cannot send utf-8 mailbox names to a server without smtputf8";

    /// <summary>Secrets exist but the server has no AUTH (reference §d).</summary>
    public const string AuthNotSupported = "authentication is not supported by the remote smtp server";

    /// <summary>The server has AUTH but no mechanism suits our secrets (reference §d).</summary>
    public const string AuthNoMechanism = "cannot do authentication: check for a compatible client secret";

    /// <summary>Every mechanism tried was refused.</summary>
    public const string AuthFailed = "authentication failed";

    /// <summary><c>--client-tls-required</c> and no STARTTLS in the EHLO reply (reference §e).</summary>
    public const string TlsNotOffered = "tls is mandated but the server cannot do starttls";

    /// <summary><c>--client-tls-required</c> and the server refused EHLO (reference §e).</summary>
    public const string TlsNoEsmtp = "tls is mandated but the server cannot do esmtp";

    /// <summary>The longest initial response sent on the AUTH line (reference §i step 5); longer ones wait for a 334.</summary>
    public const int MaxInitialResponse = 450;

    private readonly SmtpClientPolicy _policy;
    private readonly List<string> _rejected = [];
    private readonly List<string> _triedMechanisms = [];
    private IReadOnlyList<Secret>? _secrets;
    private SaslClientExchange? _exchange;
    private string? _deferredInitial;
    private bool _secure;
    private State _state = State.Greeting;
    private OutgoingMessage? _message;
    private bool _pipelined;
    private int _replyIndex;
    private SmtpReply? _mailFailure;
    private int _acceptedCount;
    private int _rejectCode;
    private bool _rejectPermanent;
    private SendOutcome? _pending;

    /// <summary>Creates a session that waits for the greeting.</summary>
    /// <param name="policy">The behaviour switches.</param>
    public SmtpClientSession(SmtpClientPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        _policy = policy;
        _secure = policy.ImplicitTls;
    }

    private enum State
    {
        Greeting,
        Ehlo,
        Helo,
        StartTls,
        TlsHandshake,
        Auth,
        Idle,
        Envelope,
        Data,
        Dot,
        Chunks,
        Rset,
        Quit,
        Closed,
    }

    /// <summary>What the server offered in its EHLO reply (none after HELO).</summary>
    public SmtpServerCapabilities Capabilities { get; private set; } = SmtpServerCapabilities.None;

    /// <summary>Set when an 8-bit message is being sent to a server without 8BITMIME (a one-off warning for the driver).</summary>
    public bool EightBitWarningDue { get; private set; }

    /// <summary>Whether the body of the current message goes in BDAT chunks (with <c>BODY=BINARYMIME</c>).</summary>
    public bool UsesChunks { get; private set; }

    /// <summary>Whether the session runs inside TLS (implicit, or after STARTTLS).</summary>
    public bool IsSecure => _secure;

    /// <summary>The id this session authenticated as, or null.</summary>
    public string? AuthenticatedId { get; private set; }

    /// <summary>Whether the session is idle between messages.</summary>
    public bool IsReady => _state == State.Idle;

    /// <summary>The greeting arrived, or (<paramref name="greeting"/> null) the prompt timeout passed without one.</summary>
    /// <param name="greeting">The greeting, or null.</param>
    /// <returns>The next step: EHLO, or close.</returns>
    public ClientStep OnGreeting(SmtpReply? greeting)
    {
        Expect(State.Greeting);
        if (greeting is { } reply)
        {
            if (reply.IsError)
            {
                return Broken(TextOf(reply), reply.Code);
            }

            if (reply.Code / 100 != 2)
            {
                return Broken(UnexpectedResponse, 0);
            }
        }

        _state = State.Ehlo;
        return Send("EHLO " + _policy.EhloName + "\r\n");
    }

    /// <summary>Starts sending a message; only when <see cref="IsReady"/>.</summary>
    /// <param name="message">The message facts.</param>
    /// <returns>The MAIL command (and the RCPTs when pipelining), or <see cref="ClientStepKind.Ready"/> with a failure from the strict checks.</returns>
    public ClientStep Send(OutgoingMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Expect(State.Idle);
        _message = message;
        _rejected.Clear();
        _acceptedCount = 0;
        _rejectCode = 0;
        _rejectPermanent = false;
        _mailFailure = null;
        _pending = null;
        _replyIndex = 0;
        EightBitWarningDue = false;
        if (message.Recipients.Count == 0)
        {
            return Finish(SendOutcome.Failed([], "no remote recipients", 0));
        }

        var caps = Capabilities;
        UsesChunks = message.Body == BodyType.BinaryMime && caps.BinaryMime && caps.Chunking;
        if (message.Body == BodyType.BinaryMime && !UsesChunks && _policy.BinaryMimeStrict)
        {
            return Finish(SendOutcome.Failed(message.Recipients, BinaryMimeRejected, 0));
        }

        if (message.Utf8MailboxNames && !caps.SmtpUtf8 && _policy.SmtpUtf8Strict)
        {
            return Finish(SendOutcome.Failed(message.Recipients, SmtpUtf8Rejected, 0));
        }

        if (message.Body == BodyType.EightBitMime && !caps.EightBitMime)
        {
            if (_policy.EightBitStrict)
            {
                return Finish(SendOutcome.Failed(message.Recipients, EightBitRejected, 0));
            }

            EightBitWarningDue = true;
        }

        if (AuthenticatedId is null && _secrets is { } secrets && secrets.Any(static s => !s.IsNoAuth))
        {
            if (caps.AuthMechanisms.Count == 0)
            {
                return Broken(AuthNotSupported, 0);
            }

            _triedMechanisms.Clear();
            return StartAuth(null);
        }

        return MailCommand();
    }

    /// <summary>
    /// Gives the client secrets for this connection (the account selector's <c>client</c> lines); null or only the
    /// no-authentication line means the session does not authenticate. Only before the first message.
    /// </summary>
    /// <param name="secrets">The secrets, or null.</param>
    public void UseSecrets(IReadOnlyList<Secret>? secrets)
    {
        Expect(State.Idle);
        if (AuthenticatedId is not null)
        {
            throw new InvalidOperationException("smtp client session is already authenticated");
        }

        _secrets = secrets;
    }

    /// <summary>The TLS handshake after STARTTLS succeeded; only after <see cref="ClientStepKind.StartTls"/>.</summary>
    /// <returns>The second EHLO (RFC 3207 §4.2: everything learnt before TLS is forgotten).</returns>
    public ClientStep OnTlsEstablished()
    {
        Expect(State.TlsHandshake);
        _secure = true;
        Capabilities = SmtpServerCapabilities.None;
        _state = State.Ehlo;
        return Send("EHLO " + _policy.EhloName + "\r\n");
    }

    private ClientStep MailCommand()
    {
        var message = _message!;
        var caps = Capabilities;
        var builder = new StringBuilder("MAIL FROM:<").Append(message.From).Append('>');
        if (caps.EightBitMime && message.Body == BodyType.SevenBit)
        {
            builder.Append(" BODY=7BIT");
        }
        else if (caps.EightBitMime && message.Body == BodyType.EightBitMime)
        {
            builder.Append(" BODY=8BITMIME");
        }
        else if (UsesChunks)
        {
            builder.Append(" BODY=BINARYMIME");
        }

        if (caps.SmtpUtf8 && message.Utf8MailboxNames)
        {
            builder.Append(" SMTPUTF8");
        }

        if (AuthenticatedId is { } id)
        {
            var auth = _policy.AnonymousAuth ? "<>"
                : message.MailFromAuthOut.Length == 0 ? Xtext.Encode(id)
                : Xtext.IsValid(message.MailFromAuthOut.AsSpan()) ? message.MailFromAuthOut
                : "<>";
            builder.Append(" AUTH=").Append(auth);
        }

        builder.Append("\r\n");
        _pipelined = _policy.Pipelining && caps.Pipelining;
        if (_pipelined)
        {
            foreach (var recipient in message.Recipients)
            {
                AppendRcpt(builder, recipient);
            }
        }

        _state = State.Envelope;
        return Send(builder.ToString());
    }

    /// <summary>Starts the polite end of the session; only when <see cref="IsReady"/>.</summary>
    /// <returns>The QUIT command.</returns>
    public ClientStep Quit()
    {
        Expect(State.Idle);
        _state = State.Quit;
        return Send("QUIT\r\n");
    }

    /// <summary>A complete reply arrived.</summary>
    /// <param name="reply">The reply.</param>
    /// <returns>The next step.</returns>
    public ClientStep OnReply(SmtpReply reply) => _state switch
    {
        State.Ehlo => OnEhloReply(reply),
        State.Helo => OnHeloReply(reply),
        State.StartTls => OnStartTlsReply(reply),
        State.Auth => OnAuthReply(reply),
        State.Envelope => OnEnvelopeReply(reply),
        State.Data => OnDataReply(reply),
        State.Dot => OnDotReply(reply),
        State.Rset => Finish(_pending!),
        State.Quit => Close(),
        _ => Broken(UnexpectedResponse, 0),
    };

    /// <summary>The reply to one BDAT chunk arrived.</summary>
    /// <param name="reply">The reply.</param>
    /// <param name="last">Whether that chunk was marked LAST.</param>
    /// <returns><see cref="ClientStepKind.SendChunks"/> to carry on, or the end of the message.</returns>
    public ClientStep OnChunkReply(SmtpReply reply, bool last)
    {
        Expect(State.Chunks);
        if (reply.Code / 100 == 2)
        {
            return last ? Delivered() : new ClientStep(ClientStepKind.SendChunks);
        }

        return reply.IsError ? Reset(Failed(reply)) : Broken(UnexpectedResponse, 0);
    }

    /// <summary>The server sent something that is not a reply (a malformed line).</summary>
    /// <returns>A broken-session close: <c>unexpected response</c>.</returns>
    public ClientStep OnProtocolError() => Broken(UnexpectedResponse, 0);

    /// <summary>The connection failed after connecting: a disconnect, a timeout or a TLS error.</summary>
    /// <param name="error">The error text, e.g. <c>response timeout after 300s</c>.</param>
    /// <returns>A broken-session close; the failure counts as transient (differences 13).</returns>
    public ClientStep OnConnectionLost(string error)
    {
        var step = Broken(error, 0);
        return step with { Outcome = step.Outcome! with { Transient = true } };
    }

    private static void AppendRcpt(StringBuilder builder, string recipient) =>
        builder.Append("RCPT TO:<").Append(recipient).Append(">\r\n");

    private static string TextOf(SmtpReply reply) => string.Join(" ", reply.Lines).Trim();

    private static ClientStep Send(string commands) => new(ClientStepKind.Send, commands);

    private ClientStep OnEhloReply(SmtpReply reply)
    {
        if (reply.Code / 100 == 2)
        {
            Capabilities = SmtpServerCapabilities.Parse(reply.Lines);
            if (_policy.StartTls && !_secure)
            {
                if (Capabilities.StartTls)
                {
                    _state = State.StartTls;
                    return Send("STARTTLS\r\n");
                }

                if (_policy.TlsRequired)
                {
                    return Broken(TlsNotOffered, 0);
                }
            }

            _state = State.Idle;
            return new ClientStep(ClientStepKind.Ready);
        }

        if (reply.Code is 500 or 501 or 502)
        {
            if (_policy.TlsRequired && !_secure)
            {
                return Broken(TlsNoEsmtp, 0);
            }

            _state = State.Helo;
            return Send("HELO " + _policy.EhloName + "\r\n");
        }

        return reply.IsError ? Broken(TextOf(reply), reply.Code) : Broken(UnexpectedResponse, 0);
    }

    private ClientStep OnStartTlsReply(SmtpReply reply)
    {
        if (reply.Code / 100 == 2)
        {
            _state = State.TlsHandshake;
            return new ClientStep(ClientStepKind.StartTls);
        }

        // A 454 (or any refusal) to STARTTLS is a TLS error (reference §e).
        return reply.IsError ? Broken(TextOf(reply), reply.Code) : Broken(UnexpectedResponse, 0);
    }

    /// <summary>Sends AUTH with the next mechanism, after <paramref name="refusal"/> of the previous one (null for the first).</summary>
    private ClientStep StartAuth(SmtpReply? refusal)
    {
        var exchange = SaslClientMechanisms.Choose(Capabilities.AuthMechanisms, _secrets!, _policy.AuthConfig, _secure, _triedMechanisms);
        if (exchange is null)
        {
            return refusal is { } last ? Broken(AuthFailed, last.Code) : Broken(AuthNoMechanism, 0);
        }

        _exchange = exchange;
        _triedMechanisms.Add(exchange.Mechanism);
        _state = State.Auth;
        var initial = exchange.InitialResponse;
        _deferredInitial = null;
        var command = "AUTH " + exchange.Mechanism;
        if (initial is not null)
        {
            if (initial.Length <= MaxInitialResponse)
            {
                return new ClientStep(ClientStepKind.Send, command + " " + (initial.Length == 0 ? "=" : initial) + "\r\n", LogText: command + " [initial response not logged]");
            }

            _deferredInitial = initial;
        }

        return Send(command + "\r\n");
    }

    private ClientStep OnAuthReply(SmtpReply reply)
    {
        if (reply.Code == 334)
        {
            string response;
            if (_deferredInitial is { } initial)
            {
                _deferredInitial = null;
                response = initial;
            }
            else
            {
                response = _exchange!.Respond(reply.Lines.Count > 0 ? reply.Lines[0] : "");
            }

            return new ClientStep(ClientStepKind.Send, response + "\r\n", LogText: "[response not logged]");
        }

        if (reply.Code / 100 == 2)
        {
            AuthenticatedId = _exchange!.Id;
            _exchange = null;
            _state = State.Idle;
            return MailCommand();
        }

        if (reply.IsError)
        {
            _exchange = null;
            return StartAuth(reply);
        }

        return Broken(UnexpectedResponse, 0);
    }

    private ClientStep OnHeloReply(SmtpReply reply)
    {
        if (reply.Code / 100 == 2)
        {
            Capabilities = SmtpServerCapabilities.None;
            _state = State.Idle;
            return new ClientStep(ClientStepKind.Ready);
        }

        return reply.IsError ? Broken(TextOf(reply), reply.Code) : Broken(UnexpectedResponse, 0);
    }

    private ClientStep OnEnvelopeReply(SmtpReply reply)
    {
        var message = _message!;
        var ok = reply.Code / 100 == 2;
        if (!ok && !reply.IsError)
        {
            return Broken(UnexpectedResponse, 0);
        }

        var index = _replyIndex++;
        if (index == 0)
        {
            if (!ok)
            {
                _mailFailure = reply;
                if (!_pipelined)
                {
                    return Finish(Failed(reply));
                }
            }
        }
        else if (ok)
        {
            _acceptedCount++;
        }
        else
        {
            _rejected.Add(message.Recipients[index - 1]);
            if (_rejectCode == 0 || (!_rejectPermanent && reply.Code >= 500))
            {
                _rejectCode = reply.Code;
                _rejectPermanent = reply.Code >= 500;
            }
        }

        if (_replyIndex <= message.Recipients.Count)
        {
            if (_pipelined)
            {
                return new ClientStep(ClientStepKind.Read);
            }

            var builder = new StringBuilder();
            AppendRcpt(builder, message.Recipients[_replyIndex - 1]);
            return Send(builder.ToString());
        }

        if (_mailFailure is { } mailFailure)
        {
            return Finish(Failed(mailFailure));
        }

        if (_acceptedCount == 0 || (_rejected.Count > 0 && !_policy.ForwardToSome))
        {
            var reason = _acceptedCount == 0 && _policy.ForwardToSome ? AllRecipientsRejected : SomeRecipientsRejected;
            return Reset(SendOutcome.Failed(message.Recipients, reason, _rejectCode));
        }

        if (UsesChunks)
        {
            _state = State.Chunks;
            return new ClientStep(ClientStepKind.SendChunks);
        }

        _state = State.Data;
        return Send("DATA\r\n");
    }

    private ClientStep OnDataReply(SmtpReply reply)
    {
        if (reply.Code / 100 == 3)
        {
            _state = State.Dot;
            return new ClientStep(ClientStepKind.SendData);
        }

        return reply.IsError ? Reset(Failed(reply)) : Broken(UnexpectedResponse, 0);
    }

    private ClientStep OnDotReply(SmtpReply reply)
    {
        if (reply.Code / 100 == 2)
        {
            return Delivered();
        }

        return reply.IsError ? Finish(Failed(reply)) : Broken(UnexpectedResponse, 0);
    }

    private ClientStep Delivered()
    {
        if (_rejected.Count == 0)
        {
            return Finish(SendOutcome.Sent);
        }

        return Finish(new SendOutcome(true, [.. _rejected], SomeRecipientsRejected, 0, !_rejectPermanent));
    }

    private SendOutcome Failed(SmtpReply reply) => SendOutcome.Failed(_message!.Recipients, TextOf(reply), reply.Code);

    private ClientStep Reset(SendOutcome outcome)
    {
        _pending = outcome;
        _state = State.Rset;
        return Send("RSET\r\n");
    }

    private ClientStep Finish(SendOutcome outcome)
    {
        _state = State.Idle;
        _message = null;
        return new ClientStep(ClientStepKind.Ready, Outcome: outcome);
    }

    private ClientStep Close()
    {
        _state = State.Closed;
        return new ClientStep(ClientStepKind.Close);
    }

    private ClientStep Broken(string error, int code)
    {
        var recipients = _message?.Recipients ?? [];
        _state = State.Closed;
        _message = null;
        return new ClientStep(ClientStepKind.Close, Outcome: SendOutcome.Failed(recipients, error, code), Error: error);
    }

    private void Expect(State state)
    {
        if (_state != state)
        {
            throw new InvalidOperationException("smtp client session is in state " + _state + ", not " + state);
        }
    }
}
