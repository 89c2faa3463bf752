using System.Net;
using EmailRelay.Tls;

namespace EmailRelay.Web;

/// <summary>The web console's settings (<c>--http</c>, <c>--http-auth</c>, <c>--http-no-auth</c>), built by the CLI.</summary>
internal sealed record WebConsoleOptions
{
    /// <summary>The addresses to listen on (port 0: any free port, logged once bound).</summary>
    public required IReadOnlyList<IPEndPoint> Endpoints { get; init; }

    /// <summary>The accounts file (<c>--http-auth</c>, absolute), or null.</summary>
    public string? AuthFile { get; init; }

    /// <summary><c>--http-no-auth</c>: no sign-in; allowed only when every endpoint is a loopback address.</summary>
    public bool NoAuth { get; init; }

    /// <summary>The server certificate (<c>--server-tls-certificate</c>) for HTTPS, or null for plain HTTP.</summary>
    public TlsServerSettings? Tls { get; init; }

    /// <summary>True when every endpoint is a loopback address.</summary>
    public bool IsLoopbackOnly => Endpoints.All(e => IPAddress.IsLoopback(e.Address));
}
