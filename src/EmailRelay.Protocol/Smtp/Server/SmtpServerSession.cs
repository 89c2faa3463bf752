using System.Globalization;
using System.Text;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Sasl;

namespace EmailRelay.Protocol.Smtp.Server;

/// <summary>
/// The SMTP server protocol as a pure, synchronous state machine (architecture §4b). Calling
/// sequence: <see cref="Start"/> once; then, according to <see cref="InputMode"/>, <see cref="Handle"/>
/// for each command line or <see cref="DataCompleted"/> at the end of DATA or of each BDAT chunk.
/// When a step carries an <see cref="SessionStep.Operation"/>, run it and call <see cref="Complete"/>
/// (<see cref="TlsEstablished"/> after STARTTLS) before feeding anything else: calling
/// <see cref="Handle"/> while an operation is pending throws <see cref="InvalidOperationException"/>
/// (a driver bug, E-MailRelay's busy state). Peer mistakes are replies, never exceptions.
/// </summary>
internal sealed class SmtpServerSession
{
    private readonly SmtpServerPolicy _policy;
    private readonly TimeProvider _time;
    private readonly PeerInfo _peer;
    private readonly List<string> _toLocal = [];
    private readonly List<string> _toRemote = [];
    private SessionOperation? _pending;
    private string _pendingAddress = "";
    private bool _pendingUtf8;
    private SmtpCommand _mail;
    private string _helo = "";
    private TlsInfo? _tls;
    private int _errors;
    private long _chunkTotal;
    private bool _chunkLast;
    private bool _tooBig;
    private bool _hasUtf8Recipient;
    private SaslServerMechanism? _sasl;
    private string? _authId;
    private string _authMechanism = "";
    private int _authFailures;

    /// <summary>Creates a session for one connection.</summary>
    public SmtpServerSession(SmtpServerPolicy policy, TimeProvider timeProvider, PeerInfo peer)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(peer);
        _policy = policy;
        _time = timeProvider;
        _peer = peer;
    }

    /// <summary>The policy this session runs with.</summary>
    public SmtpServerPolicy Policy => _policy;

    /// <summary>The protocol state.</summary>
    public SmtpServerState State { get; private set; }

    /// <summary>What the driver feeds next.</summary>
    public InputMode InputMode { get; private set; }

    /// <summary>In <see cref="InputMode.Chunk"/>: the octets of the current BDAT chunk.</summary>
    public long ChunkSize { get; private set; }

    /// <summary>True while an operation is pending.</summary>
    public bool IsBusy => _pending is not null;

    /// <summary>Protocol errors so far.</summary>
    public int ErrorCount => _errors;

    /// <summary>True once TLS is established.</summary>
    public bool IsSecure => _tls is not null;

    /// <summary>
    /// <c>--server-auth</c>: the SASL mechanisms over the server secrets, or null when AUTH is not
    /// configured (then <see cref="SmtpServerPolicy.AuthMechanisms"/> applies). With it, MAIL and VRFY need
    /// a successful AUTH unless the peer is <see cref="Trusted"/>.
    /// </summary>
    public SaslServerMechanisms? Sasl { get; init; }

    /// <summary>The secrets file's <c>server none</c> line matching the peer, if any.</summary>
    public TrustedPeer? Trusted { get; init; }

    /// <summary>Failed AUTH attempts before <c>421</c> and close (differences 14).</summary>
    public int AuthFailureLimit { get; init; } = 3;

    /// <summary>The authenticated SASL id, or null.</summary>
    public string? AuthenticatedId => _authId;

    /// <summary>Verifier argument 5: the lower-case mechanism, or <c>none</c>.</summary>
    public string VerifierAuthMechanism => _authId is null ? "none" : _authMechanism.ToLowerInvariant();

    /// <summary>Verifier argument 6: the SASL id, the trusted keyword, or empty.</summary>
    public string VerifierAuthId => _authId ?? Trusted?.Keyword ?? "";

    private bool AuthRequired => Sasl is not null && _authId is null && Trusted is null;

    /// <summary>The greeting (or <c>421 service not available</c> when the server is disabled).</summary>
    public SessionStep Start()
    {
        var greeting = !_policy.Enabled ? SmtpServerReplies.ServiceNotAvailable
            : _policy.AnonymousServer ? SmtpServerReplies.AnonymousGreeting
            : SmtpReply.Create(220, _policy.Domain + " -- E-MailRelay V2.6.1 -- Service ready");
        return new SessionStep { Reply = greeting, Flush = true };
    }

    /// <summary>Handles one parsed command line. Requires <see cref="InputMode.Command"/> and no pending operation.</summary>
    public SessionStep Handle(in SmtpCommand command)
    {
        if (_pending is not null)
        {
            throw new InvalidOperationException("SMTP session: a command was fed while an operation is pending.");
        }

        if (InputMode != InputMode.Command)
        {
            throw new InvalidOperationException("SMTP session: a command was fed outside command mode.");
        }

        // The transition table: one arm per legal (state, verb), catch-alls last.
        return (State, command.Verb) switch
        {
            (_, SmtpVerb.Unknown) => Error(SmtpServerReplies.Unrecognized),
            (_, SmtpVerb.Quit) => OnQuit(),
            (_, SmtpVerb.Rset) => OnRset(),
            (_, SmtpVerb.Noop) => Reply(SmtpServerReplies.Noop, flush: true),
            (_, SmtpVerb.Help or SmtpVerb.Expn) => Reply(SmtpServerReplies.NotImplemented, flush: true),
            (_, SmtpVerb.Helo or SmtpVerb.Ehlo) => OnHello(command),
            (_, SmtpVerb.Auth) when Sasl is null => Reply(SmtpServerReplies.NotImplemented, flush: true) with { Event = new SessionEvent(SessionEventKind.AuthNotAdvertised, "", SmtpServerReplies.NotImplemented.ToString(), command.Argument.Split(' ')[0]) },
            (_, SmtpVerb.Auth) => OnAuth(command),
            (_, SmtpVerb.StartTls) => OnStartTls(),
            (_, SmtpVerb.Bdat) when !_policy.Chunking => Error(SmtpServerReplies.Unrecognized),
            (_, SmtpVerb.Vrfy) => OnVrfy(command),
            (SmtpServerState.Ready, SmtpVerb.Mail) => OnMail(command),
            (SmtpServerState.Mail, SmtpVerb.Rcpt) => OnRcpt(command),
            (SmtpServerState.Mail, SmtpVerb.Data) => OnData(),
            (SmtpServerState.Mail or SmtpServerState.Chunking, SmtpVerb.Bdat) => OnBdat(command),
            (_, SmtpVerb.Mail) when !_policy.Enabled => Reply(SmtpServerReplies.ServiceNotAvailable, flush: true),
            _ => Error(SmtpServerReplies.OutOfSequence),
        };
    }

    /// <summary>
    /// A command line over the limit was drained (differences 9): <c>500 line too long</c>, counted as
    /// a protocol error. Requires <see cref="InputMode.Command"/> and no pending operation.
    /// </summary>
    public SessionStep HandleOverlongLine()
    {
        if (_pending is not null || InputMode != InputMode.Command)
        {
            throw new InvalidOperationException("SMTP session: an overlong line was reported outside command mode.");
        }

        return Error(SmtpServerReplies.LineTooLong);
    }

    /// <summary>
    /// Ends DATA content or one BDAT chunk. For a chunk, <paramref name="outcome"/> describes the stored
    /// content so far; <see cref="DataOutcome.TooBig"/> is remembered until the last chunk.
    /// </summary>
    public SessionStep DataCompleted(DataOutcome outcome)
    {
        if (_pending is not null || InputMode is not (InputMode.Data or InputMode.Chunk))
        {
            throw new InvalidOperationException("SMTP session: data completed outside data mode.");
        }

        _tooBig |= outcome == DataOutcome.TooBig;
        if (InputMode == InputMode.Chunk)
        {
            _chunkTotal += ChunkSize;
            ChunkSize = 0;
            InputMode = InputMode.Command;
            if (!_chunkLast && outcome != DataOutcome.BareNewline)
            {
                return Reply(SmtpReply.Create(250, _chunkTotal.ToString(CultureInfo.InvariantCulture) + " bytes received"), flush: false);
            }
        }

        InputMode = InputMode.Command;
        if (outcome == DataOutcome.BareNewline)
        {
            return EndTransaction(SmtpServerReplies.BareNewline, new SessionEvent(SessionEventKind.BareNewlineRejected, "", "", ""));
        }

        if (_tooBig)
        {
            return EndTransaction(SmtpServerReplies.TooBig, new SessionEvent(SessionEventKind.MessageTooBig, "", "", ""));
        }

        return Pend(new SessionOperation.CommitMessage(BuildEnvelope()));
    }

    /// <summary>Answers the pending operation.</summary>
    public SessionStep Complete(OperationResult result)
    {
        var pending = _pending ?? throw new InvalidOperationException("SMTP session: no operation is pending.");
        _pending = null;
        return pending switch
        {
            SessionOperation.BeginMessage => OnMailCompleted(result),
            SessionOperation.VerifyRecipient { IsVrfy: true } => OnVrfyCompleted(result.Verification),
            SessionOperation.VerifyRecipient => OnRcptCompleted(result.Verification),
            SessionOperation.CommitMessage => EndTransaction(result.IsSuccess ? SmtpServerReplies.MessageProcessed : result.Reply, default),
            _ => throw new InvalidOperationException("SMTP session: this operation is not completed with Complete()."),
        };
    }

    /// <summary>TLS is up after STARTTLS: the session forgets EHLO state (RFC 3207 §4.2).</summary>
    public SessionStep TlsEstablished(TlsInfo tls)
    {
        ArgumentNullException.ThrowIfNull(tls);
        _pending = null;
        _tls = tls;
        _helo = "";
        _authId = null;
        _authMechanism = "";
        ClearTransaction();
        State = SmtpServerState.Connected;
        return new SessionStep { EndsMessage = true };
    }

    private SessionStep OnQuit()
    {
        State = SmtpServerState.Closed;
        InputMode = InputMode.Closed;
        ClearTransaction();
        return new SessionStep { Reply = SmtpServerReplies.Quit, Flush = true, Operation = SessionOperation.Close.Instance, EndsMessage = true };
    }

    private SessionStep OnRset()
    {
        ClearTransaction();
        if (State != SmtpServerState.Connected)
        {
            State = SmtpServerState.Ready;
        }

        return new SessionStep { Reply = SmtpServerReplies.StateReset, Flush = !_policy.Pipelining, EndsMessage = true };
    }

    private SessionStep OnHello(in SmtpCommand command)
    {
        if (command.Error is { } error)
        {
            return Error(error);
        }

        // EHLO and HELO reset the transaction (RFC 5321 §4.1.4).
        ClearTransaction();
        _helo = command.Argument;
        State = SmtpServerState.Ready;
        var reply = command.Verb == SmtpVerb.Helo ? SmtpServerReplies.Hello : SmtpReply.Create(250, EhloLines());
        return new SessionStep { Reply = reply, Flush = true, EndsMessage = true };
    }

    private List<string> EhloLines()
    {
        var lines = new List<string>(9) { (_policy.AnonymousServer ? "smtp" : _policy.Domain) + " says hello" };
        if (_policy.MaxMessageSize > 0)
        {
            lines.Add("SIZE " + _policy.MaxMessageSize.ToString(CultureInfo.InvariantCulture));
        }

        IReadOnlyList<string> mechanisms = Sasl is null ? _policy.AuthMechanisms
            : _policy.TlsRequired && !IsSecure ? [] : Sasl.Advertised(IsSecure);
        if (mechanisms.Count > 0)
        {
            lines.Add("AUTH " + string.Join(' ', mechanisms));
        }

        if (_policy.TlsOffered && !IsSecure)
        {
            lines.Add("STARTTLS");
        }

        if (!_policy.AnonymousVrfy)
        {
            lines.Add("VRFY");
        }

        if (_policy.Chunking)
        {
            lines.Add("CHUNKING");
            lines.Add("BINARYMIME");
        }

        if (_policy.Pipelining)
        {
            lines.Add("PIPELINING");
        }

        if (_policy.SmtpUtf8)
        {
            lines.Add("SMTPUTF8");
        }

        lines.Add("8BITMIME");
        return lines;
    }

    private SessionStep OnStartTls()
    {
        if (!_policy.TlsOffered || IsSecure)
        {
            return Error(SmtpServerReplies.Unrecognized);
        }

        _pending = SessionOperation.StartTls.Instance;
        return new SessionStep { Reply = SmtpServerReplies.ReadyToStartTls, Flush = true, Operation = _pending };
    }

    private SessionStep OnVrfy(in SmtpCommand command)
    {
        if (AccessRefusal() is { } refusal)
        {
            return Reply(refusal, flush: true);
        }

        if (_policy.AnonymousVrfy)
        {
            return Reply(SmtpServerReplies.CannotVrfy, flush: true);
        }

        if (command.Argument.Length == 0)
        {
            return Reply(SmtpServerReplies.InvalidMailbox, flush: true);
        }

        _pendingAddress = command.Argument;
        return Pend(new SessionOperation.VerifyRecipient(command.Argument, "", IsVrfy: true));
    }

    private SessionStep OnMail(in SmtpCommand command)
    {
        if (!_policy.Enabled)
        {
            return Reply(SmtpServerReplies.ServiceNotAvailable, flush: true);
        }

        if (AccessRefusal() is { } refusal)
        {
            return Reply(refusal, flush: true);
        }

        if (command.Error is { } error)
        {
            return Error(error);
        }

        if (_policy.MaxMessageSize > 0 && command.Size > _policy.MaxMessageSize)
        {
            return Reply(SmtpServerReplies.TooBig, flush: false);
        }

        if (_policy.SmtpUtf8Strict && command.HasUtf8LocalPart && !command.SmtpUtf8)
        {
            // E-MailRelay compat: the original's reply has this spelling.
            return Reply(SmtpReply.Create(553, "mailbox name not allowed: not using smptutf8"), flush: false);
        }

        _mail = command;
        return Pend(SessionOperation.BeginMessage.Instance);
    }

    private SessionStep OnMailCompleted(OperationResult result)
    {
        if (!result.IsSuccess)
        {
            _mail = default;
            return new SessionStep { Reply = result.Reply, Flush = !_policy.Pipelining, EndsMessage = true };
        }

        State = SmtpServerState.Mail;
        var reply = SmtpReply.Create(250, "sender <" + _mail.Address + "> OK");
        var ev = _mail.Address.Length == 0 ? new SessionEvent(SessionEventKind.EmptyReturnPath, "", "", "") : default;
        return new SessionStep { Reply = reply, Flush = !_policy.Pipelining, Event = ev };
    }

    private SessionStep OnRcpt(in SmtpCommand command)
    {
        if (command.Error is { } error)
        {
            return Reply(error, flush: false) with { Event = new SessionEvent(SessionEventKind.RecipientRejected, command.Address, error.Text, error.Text) };
        }

        if (_policy.SmtpUtf8Strict && command.HasUtf8LocalPart && !_mail.SmtpUtf8)
        {
            return Reply(SmtpReply.Create(550, "mailbox name not allowed: not using smptutf8"), flush: false);
        }

        _pendingAddress = command.Address;
        _pendingUtf8 = command.HasUtf8LocalPart;
        return Pend(new SessionOperation.VerifyRecipient(command.Address, _mail.Address, IsVrfy: false));
    }

    private SessionStep OnRcptCompleted(VerifierResult result)
    {
        var address = _pendingAddress;
        switch (result.Status)
        {
            case VerifierStatus.Local:
                _toLocal.Add(result.Mailbox);
                return Reply(SmtpReply.Create(250, "recipient <" + address + ">  OK"), flush: false);
            case VerifierStatus.Remote:
                _toRemote.Add(result.Address.Length == 0 ? address : result.Address);
                _hasUtf8Recipient |= _pendingUtf8;
                return Reply(SmtpReply.Create(250, "recipient <" + address + "> OK"), flush: false);
            case VerifierStatus.Abort:
                return Abort(address);
            default:
                var reply = Rejection(result, address);
                return Reply(reply, flush: false) with { Event = new SessionEvent(SessionEventKind.RecipientRejected, address, reply.Text, result.Reason) };
        }
    }

    private SessionStep OnVrfyCompleted(VerifierResult result)
    {
        var address = _pendingAddress;
        return result.Status switch
        {
            VerifierStatus.Local => Reply(SmtpReply.Create(250, result.FullName), flush: true),
            VerifierStatus.Remote => Reply(SmtpReply.Create(252, "cannot verify but will accept: " + address), flush: true),
            VerifierStatus.Abort => Abort(address),
            _ => Reply(Rejection(result, address), flush: true),
        };
    }

    private SessionStep Abort(string address)
    {
        State = SmtpServerState.Closed;
        InputMode = InputMode.Closed;
        ClearTransaction();
        return new SessionStep { Flush = true, Operation = SessionOperation.Close.Instance, EndsMessage = true, Event = new SessionEvent(SessionEventKind.VerifierAbort, address, "", "") };
    }

    private static SmtpReply Rejection(VerifierResult result, string address)
    {
        var code = result.Status == VerifierStatus.TemporaryFailure ? 450 : 550;
        var text = result.Response.Length == 0 ? "mailbox unavailable" : result.Response;
        if (!IsPrintableAscii(address))
        {
            text = "recipient " + address + " " + text;
        }

        return SmtpReply.Create(code, text);
    }

    private SessionStep OnData()
    {
        if (_toLocal.Count + _toRemote.Count == 0)
        {
            return EndTransaction(SmtpServerReplies.NoValidRecipients, default, flush: true);
        }

        if (_mail.Body == BodyType.BinaryMime)
        {
            return Error(SmtpServerReplies.DataWithBinaryMime);
        }

        State = SmtpServerState.Data;
        InputMode = InputMode.Data;
        _tooBig = false;
        return new SessionStep { Reply = SmtpServerReplies.StartMailInput, Flush = true, ContentPrefix = BuildReceivedLine() };
    }

    private SessionStep OnBdat(in SmtpCommand command)
    {
        if (command.Error is { } error)
        {
            return Error(error);
        }

        if (_toLocal.Count + _toRemote.Count == 0)
        {
            return EndTransaction(SmtpServerReplies.NoValidRecipients, default, flush: true);
        }

        byte[]? prefix = null;
        if (State == SmtpServerState.Mail)
        {
            State = SmtpServerState.Chunking;
            _chunkTotal = 0;
            _tooBig = false;
            prefix = BuildReceivedLine();
        }

        _chunkLast = command.IsLast;
        ChunkSize = command.ChunkSize;
        InputMode = InputMode.Chunk;
        return new SessionStep { Flush = false, ContentPrefix = prefix };
    }

    private byte[]? BuildReceivedLine() => _policy.AnonymousContent ? null
        : Encoding.UTF8.GetBytes(ReceivedLine.Format(_helo, _peer.Address, _policy.Domain, _tls, authenticated: _authId is not null, _time.GetLocalNow()));

    private Envelope BuildEnvelope() => new()
    {
        Body = _mail.Body,
        From = _mail.Address,
        ToLocal = [.. _toLocal],
        ToRemote = [.. _toRemote],
        ClientAddress = _peer.Address,
        MailFromAuthIn = _mail.AuthParameter,
        Authentication = _authId ?? "",
        ClientCertificate = _tls?.ClientCertificate ?? "",
        Utf8MailboxNames = _mail.HasUtf8LocalPart || _hasUtf8Recipient,
    };

    // Reference §d and §e: encryption first under --server-tls-required, then authentication.
    private SmtpReply? AccessRefusal()
    {
        if (_policy.TlsRequired && !IsSecure)
        {
            return SmtpReply.Create(530, AuthRequired ? "authentication required: use starttls" : "encryption required: use starttls");
        }

        return AuthRequired ? SmtpReply.Create(530, "authentication required") : null;
    }

    private SessionStep OnAuth(in SmtpCommand command)
    {
        var sasl = Sasl!;
        if (_policy.TlsRequired && !IsSecure)
        {
            return Reply(SmtpReply.Create(530, "encryption required: use starttls"), flush: true);
        }

        if (_authId is not null || State is SmtpServerState.Mail or SmtpServerState.Chunking)
        {
            return Error(SmtpReply.Create(503, "already authenticated"));
        }

        string[] words = command.Argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length is 0 or > 2)
        {
            return Error(SmtpReply.Create(501, "invalid argument"));
        }

        SaslServerMechanism? mechanism = sasl.Create(words[0], IsSecure);
        if (mechanism is null)
        {
            bool afterTls = !IsSecure && _policy.TlsOffered && sasl.Advertised(false).Count == 0 && sasl.Advertised(true).Count > 0;
            var reply = SmtpReply.Create(504, afterTls ? "unsupported authentication mechanism: use starttls" : "unsupported authentication mechanism");
            _errors++;
            return new SessionStep { Reply = reply, Flush = true, Event = new SessionEvent(SessionEventKind.AuthNotAdvertised, "", reply.ToString(), words[0]) };
        }

        _sasl = mechanism;
        return OnSaslStep(mechanism.Start(words.Length == 2 ? words[1] : null));
    }

    /// <summary>One SASL response line (without CRLF). Requires <see cref="InputMode.SaslResponse"/>.</summary>
    public SessionStep HandleAuthResponse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (InputMode != InputMode.SaslResponse || _sasl is null)
        {
            throw new InvalidOperationException("SMTP session: a SASL response was fed outside an AUTH exchange.");
        }

        return OnSaslStep(_sasl.Respond(line));
    }

    private SessionStep OnSaslStep(SaslServerStep step)
    {
        var mechanism = _sasl!;
        if (step.Status == SaslServerStatus.Challenge)
        {
            InputMode = InputMode.SaslResponse;
            return Reply(SmtpReply.Create(334, step.Challenge), flush: true);
        }

        InputMode = InputMode.Command;
        _sasl = null;
        switch (step.Status)
        {
            case SaslServerStatus.Success:
                _authId = mechanism.AuthenticatedId;
                _authMechanism = mechanism.Name;
                return new SessionStep
                {
                    Reply = SmtpReply.Create(235, "authentication successful"),
                    Flush = true,
                    Event = new SessionEvent(SessionEventKind.AuthSucceeded, _authId ?? "", mechanism.Name, mechanism.SecretInfo()),
                };
            case SaslServerStatus.Cancelled:
                return Reply(SmtpReply.Create(501, "authentication cancelled"), flush: true);
            default:
                _authFailures++;
                var ev = new SessionEvent(SessionEventKind.AuthFailed, mechanism.AuthenticatedId ?? "", mechanism.Name, "");
                if (_authFailures >= AuthFailureLimit)
                {
                    State = SmtpServerState.Closed;
                    InputMode = InputMode.Closed;
                    ClearTransaction();
                    return new SessionStep { Reply = SmtpReply.Create(421, "too many authentication failures"), Flush = true, Operation = SessionOperation.Close.Instance, Event = ev, EndsMessage = true };
                }

                var reply = step.Status == SaslServerStatus.Malformed ? SmtpReply.Create(501, "invalid argument") : SmtpReply.Create(535, "authentication failed");
                return new SessionStep { Reply = reply, Flush = true, Event = ev };
        }
    }

    private SessionStep Pend(SessionOperation operation)
    {
        _pending = operation;
        return new SessionStep { Operation = operation };
    }

    private SessionStep EndTransaction(SmtpReply reply, SessionEvent ev, bool flush = false)
    {
        ClearTransaction();
        State = SmtpServerState.Ready;
        InputMode = InputMode.Command;
        return new SessionStep { Reply = reply, Flush = flush || !_policy.Pipelining, EndsMessage = true, Event = ev };
    }

    private void ClearTransaction()
    {
        _mail = default;
        _toLocal.Clear();
        _toRemote.Clear();
        _hasUtf8Recipient = false;
        _chunkTotal = 0;
        _chunkLast = false;
        _tooBig = false;
        ChunkSize = 0;
        if (InputMode != InputMode.Closed)
        {
            InputMode = InputMode.Command;
        }
    }

    private SessionStep Reply(SmtpReply reply, bool flush) => new() { Reply = reply, Flush = flush || !_policy.Pipelining };

    // E-MailRelay client_error_limit: protocol errors count; at the limit, 421 and close.
    private SessionStep Error(SmtpReply reply)
    {
        _errors++;
        if (_policy.ClientErrorLimit > 0 && _errors >= _policy.ClientErrorLimit)
        {
            State = SmtpServerState.Closed;
            InputMode = InputMode.Closed;
            ClearTransaction();
            return new SessionStep
            {
                Reply = reply,
                FinalReply = SmtpServerReplies.TooManyErrors,
                Flush = true,
                Operation = SessionOperation.Close.Instance,
                EndsMessage = true,
                Event = new SessionEvent(SessionEventKind.ErrorLimitReached, "", reply.Text, ""),
            };
        }

        return new SessionStep { Reply = reply, Flush = true };
    }

    private static bool IsPrintableAscii(string text)
    {
        foreach (var c in text)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }
}
