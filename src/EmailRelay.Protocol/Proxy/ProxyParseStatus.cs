namespace EmailRelay.Protocol.Proxy;

/// <summary>What <see cref="ProxyHeaderParser.Parse"/> made of the bytes received so far.</summary>
public enum ProxyParseStatus
{
    /// <summary>A valid prefix of a header: every byte given belongs to the header; read more.</summary>
    NeedMore,

    /// <summary>A whole header, <see cref="ProxyParseResult.Consumed"/> bytes long; what follows is the client's data.</summary>
    Complete,

    /// <summary>Not a PROXY header, or a malformed one (<see cref="ProxyParseResult.Error"/> says why).</summary>
    Invalid,
}
