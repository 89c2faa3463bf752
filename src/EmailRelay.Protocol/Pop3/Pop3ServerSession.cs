using System.Globalization;
using System.Text;
using EmailRelay.Protocol.Sasl;

namespace EmailRelay.Protocol.Pop3;

/// <summary>
/// The POP3 server protocol (RFC 1939, 2449, 2595, 5034) as a pure, synchronous state machine
/// (architecture §4b). Calling sequence: <see cref="Start"/> once; then, per <see cref="InputMode"/>,
/// <see cref="Handle"/> for each command line or <see cref="HandleSaslResponse"/> for each SASL
/// response line. When a step carries an operation, run it and call its completion before feeding
/// anything else (feeding while busy throws <see cref="InvalidOperationException"/>: a driver bug).
/// Peer mistakes are <c>-ERR</c> replies, never exceptions. Messages are numbered from 1 on the wire
/// and indexed from 0 in operations.
/// </summary>
internal sealed class Pop3ServerSession
{
    private readonly Pop3ServerPolicy _policy;
    private readonly SaslServerMechanisms _mechanisms;
    private readonly string _challenge;
    private IReadOnlyList<Pop3Message> _messages = [];
    private bool[] _deleted = [];
    private bool[] _gone = [];
    private Pop3Operation? _pending;
    private SaslServerMechanism? _exchange;
    private string? _userName;
    private bool _secure;
    private int _failures;

    /// <summary>Creates a session over the <c>--pop-auth</c> secrets and mechanisms (which also make the APOP challenge).</summary>
    public Pop3ServerSession(Pop3ServerPolicy policy, SaslServerMechanisms mechanisms)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(mechanisms);
        _policy = policy;
        _mechanisms = mechanisms;
        _challenge = mechanisms.MakeApopChallenge();
    }

    /// <summary>The protocol state.</summary>
    public Pop3State State { get; private set; }

    /// <summary>What the driver feeds next.</summary>
    public Pop3InputMode InputMode { get; private set; }

    /// <summary>The authenticated user id, once in the transaction state.</summary>
    public string? User { get; private set; }

    /// <summary>After a successful login: the mechanism, lower case (<c>plain</c> for USER/PASS, <c>apop</c>).</summary>
    public string? AuthMechanism { get; private set; }

    /// <summary>After a successful login: the secret's description for the log, e.g. <c>plaintext secret for [alice] from line 1</c>.</summary>
    public string? AuthSecretInfo { get; private set; }

    /// <summary>True while an operation is pending.</summary>
    public bool IsBusy => _pending is not null;

    /// <summary>The greeting, with the APOP challenge when plain secrets exist (reference §f).</summary>
    public Pop3Step Start() => Pop3Step.Reply(ApopAvailable ? Pop3Replies.Greeting + " " + _challenge : Pop3Replies.Greeting);

    /// <summary>Handles one command line.</summary>
    public Pop3Step Handle(in Pop3Command command)
    {
        EnsureIdle(Pop3InputMode.Command);
        return (State, command.Verb) switch
        {
            (_, Pop3Verb.Capa) => Capabilities(),
            (_, Pop3Verb.Noop) when State == Pop3State.Transaction => Pop3Step.Reply(Pop3Replies.Ok),
            (Pop3State.Authorization, Pop3Verb.Quit) => Close(Pop3Replies.SigningOff),
            (Pop3State.Authorization, Pop3Verb.User) => OnUser(command),
            (Pop3State.Authorization, Pop3Verb.Pass) => OnPass(command),
            (Pop3State.Authorization, Pop3Verb.Apop) => OnApop(command),
            (Pop3State.Authorization, Pop3Verb.Auth) => OnAuth(command),
            (Pop3State.Authorization, Pop3Verb.Stls) => OnStls(),
            (Pop3State.Transaction, Pop3Verb.Stat) => OnStat(command),
            (Pop3State.Transaction, Pop3Verb.List) => OnList(command, uid: false),
            (Pop3State.Transaction, Pop3Verb.Uidl) => OnList(command, uid: true),
            (Pop3State.Transaction, Pop3Verb.Retr) => OnRetr(command),
            (Pop3State.Transaction, Pop3Verb.Top) => OnTop(command),
            (Pop3State.Transaction, Pop3Verb.Dele) => OnDele(command),
            (Pop3State.Transaction, Pop3Verb.Rset) => OnRset(),
            (Pop3State.Transaction, Pop3Verb.Quit) => OnQuit(),
            _ => Pop3Step.Reply(Pop3Replies.Error),
        };
    }

    /// <summary>Handles one SASL response line (<see cref="Pop3InputMode.SaslResponse"/>).</summary>
    public Pop3Step HandleSaslResponse(ReadOnlySpan<byte> line)
    {
        EnsureIdle(Pop3InputMode.SaslResponse);
        return Advance(_exchange!.Respond(Encoding.Latin1.GetString(line)));
    }

    /// <summary>Completes <see cref="Pop3Operation.OpenMailbox"/>: the listing, or null if the maildrop could not be opened.</summary>
    public Pop3Step MailboxOpened(IReadOnlyList<Pop3Message>? messages)
    {
        var open = Take<Pop3Operation.OpenMailbox>();
        if (messages is null)
        {
            return Pop3Step.Reply(Pop3Replies.CannotOpenMailbox);
        }

        _messages = messages;
        _deleted = new bool[messages.Count];
        _gone = new bool[messages.Count];
        User = open.User;
        State = Pop3State.Transaction;
        return new Pop3Step { Lines = [Pop3Replies.Authenticated], Event = Pop3Event.Authenticated };
    }

    /// <summary>Completes <see cref="Pop3Operation.Retrieve"/> (the driver has written the content and the dot).</summary>
    public void Retrieved() => Take<Pop3Operation.Retrieve>();

    /// <summary>
    /// Completes <see cref="Pop3Operation.Retrieve"/> instead of <see cref="Retrieved"/>, before anything of the step
    /// was written, when the message is no longer this session's (another owner took it between the listing and
    /// the session's lock on it): the message is withdrawn, as if deleted except that RSET does not bring it back
    /// and QUIT does not try to remove it, and the reply is <c>-ERR invalid id</c>.
    /// </summary>
    public Pop3Step RetrieveFailed()
    {
        var retrieve = Take<Pop3Operation.Retrieve>();
        _gone[retrieve.Index] = true;
        return Pop3Step.Reply(Pop3Replies.InvalidId);
    }

    /// <summary>Completes <see cref="Pop3Operation.StartTls"/>: TLS is now active.</summary>
    public void TlsEstablished()
    {
        Take<Pop3Operation.StartTls>();
        _secure = true;
    }

    /// <summary>Completes <see cref="Pop3Operation.Update"/>: true if every marked message was removed.</summary>
    public Pop3Step Updated(bool allRemoved)
    {
        Take<Pop3Operation.Update>();
        return Close(allRemoved ? Pop3Replies.SigningOff : Pop3Replies.SomeNotRemoved);
    }

    /// <summary>The reply to an overlong command line.</summary>
    public Pop3Step HandleOverlongLine()
    {
        EnsureIdle(InputMode);
        if (InputMode == Pop3InputMode.SaslResponse)
        {
            EndExchange();
        }

        return Pop3Step.Reply(Pop3Replies.LineTooLong);
    }

    private bool PlainUsable => _mechanisms.IsAdvertised("PLAIN", _secure);

    private bool ApopAvailable => Apop.IsAvailable(_mechanisms.Secrets);

    private bool TlsBlocksAuth => _policy.TlsRequired && !_secure;

    private Pop3Step Capabilities()
    {
        var lines = new List<string> { Pop3Replies.CapabilityList };
        if (PlainUsable)
        {
            lines.Add("USER");
        }

        lines.Add("CAPA");
        lines.Add("TOP");
        lines.Add("UIDL");
        if (_policy.TlsOffered && !_secure)
        {
            lines.Add("STLS");
        }

        var mechanisms = TlsBlocksAuth ? [] : _mechanisms.Advertised(_secure);
        if (mechanisms.Count > 0)
        {
            lines.Add("SASL " + string.Join(' ', mechanisms));
        }

        lines.Add(".");
        return new Pop3Step { Lines = lines };
    }

    private Pop3Step OnUser(in Pop3Command command)
    {
        if (TlsBlocksAuth)
        {
            return Pop3Step.Reply(Pop3Replies.MustUseStls);
        }

        var words = command.Words;
        if (words.Length != 1)
        {
            return Pop3Step.Reply(Pop3Replies.Error);
        }

        if (!PlainUsable)
        {
            return Pop3Step.Reply(Pop3Replies.NoPlain);
        }

        _userName = words[0];
        return Pop3Step.Reply("+OK user: " + _userName);
    }

    // Differences 11: the password is the whole rest of the line, spaces included.
    private Pop3Step OnPass(in Pop3Command command)
    {
        var user = _userName;
        _userName = null;
        if (user is null || command.Argument.Length == 0)
        {
            return Pop3Step.Reply(Pop3Replies.Error);
        }

        // Reference §f: USER/PASS is done internally as SASL PLAIN.
        var plain = _mechanisms.Create("PLAIN", _secure);
        if (plain is null)
        {
            return LoginResult(null);
        }

        var response = Convert.ToBase64String(Encoding.UTF8.GetBytes("\0" + user + "\0" + command.Argument));
        var step = plain.Start(response);
        if (step.Status == SaslServerStatus.Success)
        {
            (AuthMechanism, AuthSecretInfo) = ("plain", plain.SecretInfo());
        }

        return LoginResult(step.Status == SaslServerStatus.Success ? plain.AuthenticatedId : null);
    }

    private Pop3Step OnApop(in Pop3Command command)
    {
        if (TlsBlocksAuth)
        {
            return Pop3Step.Reply(Pop3Replies.MustUseStls);
        }

        var words = command.Words;
        if (words.Length != 2 || !ApopAvailable)
        {
            return Pop3Step.Reply(Pop3Replies.Error);
        }

        if (!Apop.Check(_mechanisms.Secrets, words[0], _challenge, words[1]))
        {
            return LoginResult(null);
        }

        var secret = _mechanisms.Secrets.FindServerSecret(SecretTypes.Plain, words[0]);
        (AuthMechanism, AuthSecretInfo) = ("apop", secret is null ? $"secret for [{words[0]}]" : $"plaintext secret for [{words[0]}] from {secret.Source}");
        return LoginResult(words[0]);
    }

    private Pop3Step OnAuth(in Pop3Command command)
    {
        var words = command.Words;
        if (words.Length == 0)
        {
            // E-MailRelay compat: a non-standard list of mechanisms.
            var lines = new List<string> { Pop3Replies.Ok };
            if (!TlsBlocksAuth)
            {
                lines.AddRange(_mechanisms.Advertised(_secure));
            }

            lines.Add(".");
            return new Pop3Step { Lines = lines };
        }

        if (TlsBlocksAuth)
        {
            return Pop3Step.Reply(Pop3Replies.MustUseStls);
        }

        if (words.Length > 2)
        {
            return Pop3Step.Reply(Pop3Replies.Error);
        }

        var exchange = _mechanisms.Create(words[0], _secure);
        if (exchange is null)
        {
            return Pop3Step.Reply(Pop3Replies.UnsupportedMechanism);
        }

        _exchange = exchange;
        InputMode = Pop3InputMode.SaslResponse;

        // RFC 5034 §4: an optional initial response; "=" is an empty one.
        return Advance(exchange.Start(words.Length == 2 ? words[1] : null));
    }

    private Pop3Step Advance(SaslServerStep step)
    {
        var id = _exchange?.AuthenticatedId;
        switch (step.Status)
        {
            case SaslServerStatus.Challenge:
                return Pop3Step.Reply("+ " + step.Challenge);
            case SaslServerStatus.Cancelled:
                EndExchange();
                return Pop3Step.Reply(Pop3Replies.AuthenticationCancelled);
            case SaslServerStatus.Success:
                (AuthMechanism, AuthSecretInfo) = (_exchange!.Name.ToLowerInvariant(), _exchange.SecretInfo());
                EndExchange();
                return LoginResult(id);
            default:
                EndExchange();
                return LoginResult(null);
        }
    }

    private Pop3Step LoginResult(string? userId)
    {
        if (userId is not null)
        {
            _pending = new Pop3Operation.OpenMailbox(userId);
            return new Pop3Step { Lines = [], Operation = _pending };
        }

        _failures++;
        if (_failures >= _policy.AuthFailureLimit)
        {
            var close = Close(Pop3Replies.TooManyFailures);
            return close with { Lines = [Pop3Replies.AuthenticationFailed, Pop3Replies.TooManyFailures], Event = Pop3Event.AuthFailureLimit };
        }

        return new Pop3Step { Lines = [Pop3Replies.AuthenticationFailed], Event = Pop3Event.AuthenticationFailed };
    }

    private Pop3Step OnStls()
    {
        if (!_policy.TlsOffered || _secure)
        {
            return Pop3Step.Reply(Pop3Replies.Error);
        }

        _pending = new Pop3Operation.StartTls();
        return new Pop3Step { Lines = [Pop3Replies.Ok], Operation = _pending };
    }

    private Pop3Step OnStat(in Pop3Command command)
    {
        if (command.Argument.Length > 0)
        {
            return Pop3Step.Reply(Pop3Replies.Error);
        }

        long total = 0;
        int count = 0;
        for (int i = 0; i < _messages.Count; i++)
        {
            if (!Hidden(i))
            {
                count++;
                total += _messages[i].Size;
            }
        }

        return Pop3Step.Reply(string.Create(CultureInfo.InvariantCulture, $"+OK {count} {total}"));
    }

    private Pop3Step OnList(in Pop3Command command, bool uid)
    {
        string Item(int i) => string.Create(CultureInfo.InvariantCulture, $"{i + 1} ") + (uid ? _messages[i].Uid : _messages[i].Size.ToString(CultureInfo.InvariantCulture));
        var words = command.Words;
        if (words.Length == 1)
        {
            return TryIndex(words[0], out var index) ? Pop3Step.Reply("+OK " + Item(index)) : Pop3Step.Reply(Pop3Replies.InvalidId);
        }

        if (words.Length > 1)
        {
            return Pop3Step.Reply(Pop3Replies.Error);
        }

        var lines = new List<string>(_messages.Count + 2) { "" };
        for (int i = 0; i < _messages.Count; i++)
        {
            if (!Hidden(i))
            {
                lines.Add(Item(i));
            }
        }

        lines[0] = string.Create(CultureInfo.InvariantCulture, $"+OK {lines.Count - 1} message(s)");
        lines.Add(".");
        return new Pop3Step { Lines = lines };
    }

    private Pop3Step OnRetr(in Pop3Command command)
    {
        var words = command.Words;
        if (words.Length != 1 || !TryIndex(words[0], out var index))
        {
            return Pop3Step.Reply(Pop3Replies.InvalidId);
        }

        _pending = new Pop3Operation.Retrieve(index, -1);
        return new Pop3Step { Lines = [string.Create(CultureInfo.InvariantCulture, $"+OK {_messages[index].Size} octets")], Operation = _pending };
    }

    private Pop3Step OnTop(in Pop3Command command)
    {
        var words = command.Words;
        if (words.Length != 2 || !int.TryParse(words[1], NumberStyles.None, CultureInfo.InvariantCulture, out var lines))
        {
            return Pop3Step.Reply(Pop3Replies.Error);
        }

        if (!TryIndex(words[0], out var index))
        {
            return Pop3Step.Reply(Pop3Replies.InvalidId);
        }

        _pending = new Pop3Operation.Retrieve(index, lines);
        return new Pop3Step { Lines = [Pop3Replies.Ok], Operation = _pending };
    }

    private Pop3Step OnDele(in Pop3Command command)
    {
        var words = command.Words;
        if (words.Length != 1 || !TryIndex(words[0], out var index))
        {
            return Pop3Step.Reply(Pop3Replies.InvalidId);
        }

        _deleted[index] = true;
        return Pop3Step.Reply(Pop3Replies.Ok);
    }

    private Pop3Step OnRset()
    {
        Array.Clear(_deleted);
        return Pop3Step.Reply(Pop3Replies.Ok);
    }

    private Pop3Step OnQuit()
    {
        var deleted = new List<int>();
        for (int i = 0; i < _deleted.Length; i++)
        {
            if (_deleted[i] && !_gone[i])
            {
                deleted.Add(i);
            }
        }

        State = Pop3State.Update;
        _pending = new Pop3Operation.Update(deleted);
        return new Pop3Step { Lines = [], Operation = _pending };
    }

    private Pop3Step Close(string line)
    {
        State = Pop3State.Closed;
        InputMode = Pop3InputMode.Closed;
        return new Pop3Step { Lines = [line], Operation = new Pop3Operation.Close() };
    }

    // A message number: 1-based, in range and not marked deleted (RFC 1939 §5).
    private bool TryIndex(string text, out int index)
    {
        index = -1;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1 || number > _messages.Count || Hidden(number - 1))
        {
            return false;
        }

        index = number - 1;
        return true;
    }

    private bool Hidden(int index) => _deleted[index] || _gone[index];

    private void EndExchange()
    {
        _exchange = null;
        InputMode = Pop3InputMode.Command;
    }

    private T Take<T>()
        where T : Pop3Operation
    {
        if (_pending is not T operation)
        {
            throw new InvalidOperationException("no pending " + typeof(T).Name + " operation");
        }

        _pending = null;
        return operation;
    }

    private void EnsureIdle(Pop3InputMode mode)
    {
        if (_pending is not null || InputMode != mode)
        {
            throw new InvalidOperationException("the POP3 session cannot take this input now");
        }
    }
}
