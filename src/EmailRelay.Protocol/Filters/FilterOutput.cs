namespace EmailRelay.Protocol.Filters;

/// <summary>
/// What an external filter said on stdout (reference §c, "Output"), or what a built-in says in its place.
/// </summary>
/// <param name="Response">Terse text for the peer; <c>rejected</c> by default.</param>
/// <param name="ResponseCode">A 4xx/5xx code taken from the front of the response, or 0.</param>
/// <param name="Reason">Detail for the log and the envelope's Reason line; the response by default.</param>
internal readonly record struct FilterOutput(string Response, int ResponseCode, string Reason)
{
    /// <summary>The response used when a program printed nothing usable.</summary>
    public const string DefaultResponse = "rejected";

    /// <summary>The output of a program that printed nothing: response and reason <c>rejected</c>.</summary>
    public static FilterOutput Empty { get; } = new(DefaultResponse, 0, DefaultResponse);
}
