namespace EmailRelay.Protocol.Routing;

/// <summary>What a route rule looks at.</summary>
internal enum RouteMatchKind
{
    /// <summary><c>to:&lt;domain&gt;</c>: the recipient's domain.</summary>
    RecipientDomain,

    /// <summary><c>from:&lt;domain&gt;</c>: the envelope sender's domain.</summary>
    SenderDomain,

    /// <summary><c>auth:&lt;user&gt;</c>: the id the submitting client authenticated as (the envelope's Authentication).</summary>
    AuthenticatedUser,

    /// <summary><c>*</c>: every message.</summary>
    Any,
}
