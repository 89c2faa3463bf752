namespace EmailRelay.Protocol.Filters;

/// <summary>
/// A parsed <c>--address-verifier</c> value, produced by <see cref="VerifierSpecParser"/>. Paths are
/// kept raw: <c>@app</c> expansion and making a relative path absolute happen in Core.
/// </summary>
internal sealed record VerifierSpec
{
    /// <summary>The default <c>account:</c> uid range start (E-MailRelay compat).</summary>
    public const int DefaultUidMin = 1000;

    /// <summary>The default <c>account:</c> uid range end (E-MailRelay compat).</summary>
    public const int DefaultUidMax = 32767;

    /// <summary>The kind of verifier.</summary>
    public required VerifierKind Kind { get; init; }

    /// <summary>The spec text exactly as given (empty for the default); used in logs and errors.</summary>
    public required string Text { get; init; }

    /// <summary>The program path (raw), the <c>net:</c> address, or the raw <c>account:</c> option text.</summary>
    public string Value { get; init; } = "";

    /// <summary>The lowest uid an <c>account:</c> match may have.</summary>
    public int UidMin { get; init; } = DefaultUidMin;

    /// <summary>The highest uid an <c>account:</c> match may have.</summary>
    public int UidMax { get; init; } = DefaultUidMax;

    /// <summary><c>account:</c> <c>lowercase</c>: the mailbox name is the account name lowercased.</summary>
    public bool Lowercase { get; init; }

    /// <summary><c>account:</c> <c>check</c>: addresses that do not match are accepted as remote.</summary>
    public bool Check { get; init; }

    /// <summary><c>account:</c> <c>remote</c>: matches are treated as remote too.</summary>
    public bool Remote { get; init; }

    /// <summary>The default verifier: accept everything as remote.</summary>
    public static VerifierSpec Default { get; } = new() { Kind = VerifierKind.AcceptAll, Text = "" };

    /// <inheritdoc />
    public override string ToString() => Text;
}
