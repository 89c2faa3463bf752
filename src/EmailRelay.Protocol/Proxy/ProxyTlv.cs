namespace EmailRelay.Protocol.Proxy;

/// <summary>One v2 type-length-value field; <see cref="Value"/> is a copy of its bytes.</summary>
/// <param name="Type">The type byte.</param>
/// <param name="Value">The value bytes.</param>
public sealed record ProxyTlv(ProxyTlvType Type, ReadOnlyMemory<byte> Value);
