using System.Net;
using System.Net.Sockets;

namespace EmailRelay.Testing;

/// <summary>Free TCP ports for black-box tests: bind port 0 on loopback, read the port, release it.</summary>
public static class FreePort
{
    /// <summary>A port that was free a moment ago on 127.0.0.1 (callers retry on a conflict).</summary>
    public static int Next()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
