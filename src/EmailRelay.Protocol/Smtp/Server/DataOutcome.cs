namespace EmailRelay.Protocol.Smtp.Server;

/// <summary>How the driver found the content of a DATA, or of one BDAT chunk.</summary>
internal enum DataOutcome
{
    /// <summary>The content was stored.</summary>
    Complete,

    /// <summary>The stored content went over <see cref="SmtpServerPolicy.MaxMessageSize"/>; the rest was discarded.</summary>
    TooBig,

    /// <summary>A bare CR or LF was seen under <c>bare-newline-reject</c> (differences 7).</summary>
    BareNewline,
}
