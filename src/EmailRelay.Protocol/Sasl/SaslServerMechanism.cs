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
