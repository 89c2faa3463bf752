namespace EmailRelay.Protocol.Sasl;

/// <summary>Where a server-side SASL exchange stands after a step.</summary>
internal enum SaslServerStatus
{
    /// <summary>Send <see cref="SaslServerStep.Challenge"/> (<c>334 &lt;b64&gt;</c>) and wait for a response line.</summary>
    Challenge,

    /// <summary>Authenticated as <see cref="SaslServerMechanism.AuthenticatedId"/>.</summary>
    Success,

    /// <summary>Wrong credentials (<c>535 authentication failed</c>).</summary>
    Failure,

    /// <summary>The client sent <c>*</c> (<c>501 authentication cancelled</c>).</summary>
    Cancelled,

    /// <summary>The response was not valid base64 or not the mechanism's syntax (<c>501 invalid argument</c>).</summary>
    Malformed,
}
