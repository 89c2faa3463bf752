using System.Net.Security;

namespace EmailRelay.Tls;

/// <summary>A finished client handshake.</summary>
/// <param name="Stream">The TLS stream.</param>
/// <param name="PeerSubject">The server certificate's subject (OpenSSL one-line form), or empty.</param>
/// <param name="Verified">Whether the verification callback accepted the certificate.</param>
internal sealed record TlsClientResult(SslStream Stream, string PeerSubject, bool Verified);
