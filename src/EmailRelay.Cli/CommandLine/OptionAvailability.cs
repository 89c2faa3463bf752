namespace EmailRelay.Cli.CommandLine;

/// <summary>
/// Options that parse but whose feature is built by a later issue: using one is a startup error naming the
/// option. Delete a line when its feature lands.
/// </summary>
internal static class OptionAvailability
{

    /// <summary>The gated options, one line each.</summary>
    public static IReadOnlyList<OptionGate> Gates { get; } =
    [
    ];

    /// <summary>The gate for an option in <paramref name="gates"/>, or <c>null</c> if the option is available.</summary>
    public static OptionGate? Find(IReadOnlyList<OptionGate> gates, string option)
    {
        ArgumentNullException.ThrowIfNull(gates);
        foreach (var gate in gates)
        {
            if (string.Equals(gate.Option, option, StringComparison.Ordinal))
            {
                return gate;
            }
        }

        return null;
    }

    /// <summary>The distinct missing features (noun phrases), for <c>--version --verbose</c>.</summary>
    public static IEnumerable<string> MissingFeatures => Gates.Select(g => g.Feature).Distinct(StringComparer.Ordinal);
}
