using System.Diagnostics.CodeAnalysis;
using EmailRelay.Filters;
using EmailRelay.Protocol.Filters;

namespace EmailRelay.Verifiers;

/// <summary>
/// Builds the <see cref="IAddressVerifier"/> for an <c>--address-verifier</c> value: the default (empty or
/// <c>exit:N</c>), <c>net:</c>, <c>account:</c> and programs.
/// Called once at startup by Hosting; a false return is a configuration error.
/// </summary>
internal static class VerifierFactory
{
    /// <summary>Builds the verifier for a parsed spec.</summary>
    public static bool TryCreate(VerifierSpec spec, [NotNullWhen(true)] out IAddressVerifier? verifier, out string error)
        => TryCreate(spec, new FilterEnvironment(), out verifier, out error);

    /// <summary>Builds the verifier for a parsed spec with a unit's settings.</summary>
    public static bool TryCreate(VerifierSpec spec, FilterEnvironment environment, [NotNullWhen(true)] out IAddressVerifier? verifier, out string error)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(environment);
        error = "";
        verifier = spec.Kind switch
        {
            VerifierKind.AcceptAll => AcceptAllVerifier.Instance,
            VerifierKind.Net => new NetVerifier(spec.Value, environment.Timeout, environment.TimeProvider),
            VerifierKind.Account => new AccountVerifier(spec),
            VerifierKind.File => new ProgramVerifier(environment.ResolveAndCheckProgram(spec.Value), environment.Timeout, environment.TimeProvider, environment.Logger),
            _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Kind, "unknown address verifier kind"),
        };
        return true;
    }

    /// <summary>Parses an option value and builds its verifier with a unit's settings.</summary>
    public static bool TryCreate(string? specText, FilterEnvironment environment, [NotNullWhen(true)] out IAddressVerifier? verifier, out string error)
    {
        verifier = null;
        return VerifierSpecParser.TryParse(specText, out var spec, out error) && TryCreate(spec, environment, out verifier, out error);
    }

    /// <summary>Parses an option value and builds its verifier.</summary>
    /// <param name="specText">The <c>--address-verifier</c> value; null or empty for the default.</param>
    /// <param name="verifier">The verifier on success.</param>
    /// <param name="error">The parse or build error; empty on success.</param>
    public static bool TryCreate(string? specText, [NotNullWhen(true)] out IAddressVerifier? verifier, out string error)
    {
        verifier = null;
        return VerifierSpecParser.TryParse(specText, out var spec, out error) && TryCreate(spec, out verifier, out error);
    }
}
