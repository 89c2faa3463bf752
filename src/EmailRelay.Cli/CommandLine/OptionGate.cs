namespace EmailRelay.Cli.CommandLine;

/// <summary>One row of <see cref="OptionAvailability"/>: an option whose feature is not built yet.</summary>
/// <param name="Option">The long option name without dashes.</param>
/// <param name="Feature">What is missing, as a noun phrase, e.g. <c>the POP3 server</c>.</param>
/// <param name="AllowedValue">Values that are already supported, or <c>null</c> if every use is gated.</param>
internal sealed record OptionGate(string Option, string Feature, Func<string, bool>? AllowedValue = null)
{
    /// <summary>The reason given in the error: <c>the POP3 server is not built in this version</c>.</summary>
    public string Reason => Feature + " is not built in this version";
}
