using System.Net;
using System.Net.Sockets;

namespace EmailRelay.Testing.Tools;

/// <summary>
/// A loopback TCP port that was free a moment ago: bind port 0, read the port, release it. Another
/// process may take it before the caller binds, so servers started on it retry on a conflict.
/// </summary>
public static class FreePort
{
    /// <summary>The loopback address every tool listens on.</summary>
    public const string Host = "127.0.0.1";

    /// <summary>Returns a free port on 127.0.0.1.</summary>
    public static int Get()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>True if something accepts a TCP connection on 127.0.0.1:<paramref name="port"/>.</summary>
    public static bool IsListening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
