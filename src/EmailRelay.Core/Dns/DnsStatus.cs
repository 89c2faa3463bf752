namespace EmailRelay.Dns;

/// <summary>How a DNS query ended.</summary>
internal enum DnsStatus
{
    /// <summary>A NOERROR response (which may hold no records of the type asked for: NODATA).</summary>
    Answer,

    /// <summary>An NXDOMAIN response: the name does not exist.</summary>
    NameError,

    /// <summary>Every server answered with another error code (SERVFAIL, REFUSED...), or an unusable response.</summary>
    ServerFailure,

    /// <summary>No usable response before the time limit.</summary>
    Timeout,
}
