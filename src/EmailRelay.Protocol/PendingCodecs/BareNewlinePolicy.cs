namespace EmailRelay.Protocol.Smtp;

/// <summary>Stand-in until the codecs branch is merged.</summary>
public enum BareNewlinePolicy
{
    /// <summary>Normalise.</summary>
    Normalise,

    /// <summary>Reject.</summary>
    Reject,

    /// <summary>Keep.</summary>
    Keep,
}
