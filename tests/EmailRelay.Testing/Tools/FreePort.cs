using System.Net;
using System.Net.Sockets;

namespace EmailRelay.Testing.Tools;

/// <summary>
/// A loopback TCP port for a server a test starts by port number. Ports come from
/// <see cref="First"/>..<see cref="Last"/>, below Linux's ephemeral range (32768 and up), so no outgoing
/// connection's local port and no <c>bind(port 0)</c> listener of any test process can take one between
/// <see cref="Get"/> and the server's bind. The test processes run in parallel, so each port handed out is
/// claimed across processes with a file <c>&lt;port&gt;</c> created exclusively in a shared directory and
/// holding the claimer's pid; a claim whose process is gone is taken over. A claimed port is also checked
/// to be bindable right now.
/// </summary>
public static class FreePort
{
    /// <summary>The loopback address every tool listens on.</summary>
    public const string Host = "127.0.0.1";

    private const int First = 20000;
    private const int Last = 32000;
    private static readonly string ClaimDirectory = Path.Combine(Path.GetTempPath(), "emailrelay-test-ports");
    private static readonly Lock Gate = new();
    private static int _next = First + (Environment.ProcessId * 7919 % (Last - First));

    /// <summary>Returns a port on 127.0.0.1 that is free, outside the ephemeral range, and claimed for this process.</summary>
    public static int Get()
    {
        Directory.CreateDirectory(ClaimDirectory);
        lock (Gate)
        {
            for (var tried = 0; tried <= Last - First; tried++)
            {
                var port = _next;
                _next = _next >= Last ? First : _next + 1;
                if (TryClaim(port) && CanBind(port))
                {
                    return port;
                }
            }
        }

        throw new InvalidOperationException("no free test port in " + First + ".." + Last);
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

    private static bool TryClaim(int port)
    {
        var path = Path.Combine(ClaimDirectory, port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var me = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            File.WriteAllText(path + "." + me, me);
            try
            {
                // link(2) is atomic and fails if the claim exists: the claim is made whole or not at all.
                File.Move(path + "." + me, path, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(path))
            {
                var owner = File.ReadAllText(path).Trim();
                if (owner == me || !int.TryParse(owner, out var pid) || ProcessIsAlive(pid))
                {
                    return false;
                }

                // The claimer is gone: take its port over, unless another process took it over at once.
                File.Move(path + "." + me, path, overwrite: true);
                return File.ReadAllText(path).Trim() == me;
            }
            finally
            {
                File.Delete(path + "." + me);
            }
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool ProcessIsAlive(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static bool CanBind(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
