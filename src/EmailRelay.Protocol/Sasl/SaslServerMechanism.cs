namespace EmailRelay.Protocol.Sasl;

/// <summary>
/// A server-side SASL mechanism as a pure state machine: <see cref="Start"/> with the optional initial
/// response from the AUTH line, then <see cref="Respond"/> for each response line while the status is
/// <see cref="SaslServerStatus.Challenge"/>. Handles base64, <c>=</c> (empty initial response) and
/// <c>*</c> (cancel) for every mechanism. One instance per exchange.
/// </summary>
internal abstract class SaslServerMechanism
{
    private bool _done;

    /// <summary>The mechanism name, upper case.</summary>
    public abstract string Name { get; }

    /// <summary>The authenticated id after <see cref="SaslServerStatus.Success"/>; otherwise the id tried, if any.</summary>
    public string? AuthenticatedId { get; protected set; }

    /// <summary>
    /// The secret that matched after <see cref="SaslServerStatus.Success"/>, for the log line; null for PAM
    /// (no stored secret) and before success.
    /// </summary>
    public Secret? MatchedSecret { get; protected set; }

    /// <summary>True when the password was checked by PAM rather than against a stored secret.</summary>
    public bool CheckedByPam { get; protected set; }

    /// <summary>
    /// The tail of E-MailRelay's success line, e.g. <c>plaintext secret for [alice] from line 1</c>:
    /// the secret's kind (<c>plaintext</c> for a plain secret, else its type name such as <c>md5</c>;
    /// <c>pam</c> for PAM), the id, and the secret's source (<c>pam</c> for PAM).
    /// </summary>
    public string SecretInfo()
    {
        string id = AuthenticatedId ?? string.Empty;
        if (MatchedSecret is { } secret)
        {
            string kind = string.Equals(secret.Type, SecretTypes.Plain, StringComparison.Ordinal) ? "plaintext" : secret.Type;
            return $"{kind} secret for [{id}] from {secret.Source}";
        }

        return CheckedByPam ? $"pam secret for [{id}] from pam" : $"secret for [{id}]";
    }

    /// <summary>Starts the exchange. <paramref name="initialResponse"/> is the AUTH line's second word, if any.</summary>
    public SaslServerStep Start(string? initialResponse)
    {
        if (initialResponse is null)
        {
            return Track(OnStart(null));
        }

        if (initialResponse == "*")
        {
            return Track(new SaslServerStep(SaslServerStatus.Cancelled));
        }

        if (initialResponse == "=")
        {
            return Track(OnStart([]));
        }

        return SaslBase64.TryDecode(initialResponse, out byte[] data) && data.Length > 0
            ? Track(OnStart(data))
            : Track(SaslServerStep.Malformed);
    }

    /// <summary>Feeds one response line (without CRLF).</summary>
    public SaslServerStep Respond(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (_done)
        {
            throw new InvalidOperationException("the exchange is over");
        }

        if (line == "*")
        {
            return Track(new SaslServerStep(SaslServerStatus.Cancelled));
        }

        return SaslBase64.TryDecode(line, out byte[] data)
            ? Track(OnResponse(data))
            : Track(SaslServerStep.Malformed);
    }

    /// <summary>
    /// Checks a PLAIN/LOGIN password and, on success, sets <see cref="MatchedSecret"/> (or
    /// <see cref="CheckedByPam"/>).
    /// </summary>
    protected bool CheckPassword(ISecretLookup secrets, string id, ReadOnlySpan<byte> password)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        if (id.Length == 0 || !secrets.CheckPassword(id, password))
        {
            return false;
        }

        if (secrets.IsPam)
        {
            CheckedByPam = true;
            return true;
        }

        foreach (string type in secrets.ServerSecretTypes)
        {
            if (secrets.FindServerSecret(type, id) is { } secret && SecretTypes.PasswordMatches(secret, password))
            {
                MatchedSecret = secret;
                break;
            }
        }

        return true;
    }

    /// <summary>First step; <paramref name="initial"/> is null without an initial response, empty for <c>=</c>.</summary>
    protected abstract SaslServerStep OnStart(byte[]? initial);

    /// <summary>A decoded response.</summary>
    protected abstract SaslServerStep OnResponse(byte[] response);

    private SaslServerStep Track(SaslServerStep step)
    {
        _done = step.Status != SaslServerStatus.Challenge;
        return step;
    }
}
