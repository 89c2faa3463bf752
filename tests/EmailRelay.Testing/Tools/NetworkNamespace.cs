using System.Globalization;

namespace EmailRelay.Testing.Tools;

/// <summary>
/// A network namespace joined to this one by a veth pair with addresses from 100.64.0.0/10 (shared address space:
/// neither loopback nor a private range), so a client run inside it reaches a listener on <see cref="HostAddress"/>
/// from the non-local <see cref="PeerAddress"/>. Needs root and <c>ip netns</c> (Debian <c>iproute2</c>);
/// <see cref="TryCreateAsync"/> returns null otherwise. Dispose deletes the pair and the namespace.
/// </summary>
public sealed class NetworkNamespace : IAsyncDisposable
{
    private NetworkNamespace(string name, int subnet)
    {
        Name = name;
        HostAddress = "100.64." + subnet.ToString(CultureInfo.InvariantCulture) + ".1";
        PeerAddress = "100.64." + subnet.ToString(CultureInfo.InvariantCulture) + ".2";
    }

    /// <summary>The namespace's name.</summary>
    public string Name { get; }

    /// <summary>This side's address of the pair: listen here.</summary>
    public string HostAddress { get; }

    /// <summary>The address clients in the namespace connect from.</summary>
    public string PeerAddress { get; }

    /// <summary>The skip reason of a test that needs a namespace when <see cref="TryCreateAsync"/> gave none.</summary>
    public const string Unavailable = "needs root and ip netns (Debian iproute2) to create a network namespace with a non-local peer";

    /// <summary>The <c>ip</c> program.</summary>
    public static string IpPath => File.Exists("/usr/sbin/ip") ? "/usr/sbin/ip" : File.Exists("/sbin/ip") ? "/sbin/ip" : "/usr/bin/ip";

    /// <summary>Creates a namespace and its veth pair, or returns null when that is not possible here.</summary>
    public static async Task<NetworkNamespace?> TryCreateAsync()
    {
        if (!string.Equals(Environment.UserName, "root", StringComparison.Ordinal) || !File.Exists(IpPath))
        {
            return null;
        }

        var ns = new NetworkNamespace("ern" + Random.Shared.Next(100000, 999999).ToString(CultureInfo.InvariantCulture), Random.Shared.Next(1, 250));
        if (await Ip("netns", "add", ns.Name) != 0)
        {
            return null;
        }

        var ready = await Ip("link", "add", "h" + ns.Name, "type", "veth", "peer", "name", "p" + ns.Name) == 0
            && await Ip("link", "set", "p" + ns.Name, "netns", ns.Name) == 0
            && await Ip("addr", "add", ns.HostAddress + "/30", "dev", "h" + ns.Name) == 0
            && await Ip("link", "set", "h" + ns.Name, "up") == 0
            && await Ip("-n", ns.Name, "addr", "add", ns.PeerAddress + "/30", "dev", "p" + ns.Name) == 0
            && await Ip("-n", ns.Name, "link", "set", "p" + ns.Name, "up") == 0
            && await Ip("-n", ns.Name, "link", "set", "lo", "up") == 0;
        if (!ready)
        {
            await ns.DisposeAsync();
            return null;
        }

        return ns;
    }

    /// <summary>
    /// Connects from inside the namespace to <paramref name="host"/>:<paramref name="port"/> and returns the first data
    /// received (up to 200 bytes), or <c>CLOSED</c> if the server closed the connection without sending anything.
    /// </summary>
    public async Task<string> ReadGreetingAsync(string host, int port, TimeSpan timeout)
    {
        var script = "import socket,sys\ns=socket.create_connection(('" + host + "'," + port.ToString(CultureInfo.InvariantCulture) + "),timeout=20)\n"
            + "try:\n d=s.recv(200)\nexcept OSError:\n d=b''\nsys.stdout.write(d.decode('ascii','replace') or 'CLOSED')\n";
        return await RunPythonAsync(script, timeout);
    }

    /// <summary>Runs a Python script (Debian's <c>/usr/bin/python3</c>) inside the namespace and returns its stdout.</summary>
    public async Task<string> RunPythonAsync(string script, TimeSpan timeout)
    {
        await using var client = ToolProcess.Start(IpPath, ["netns", "exec", Name, "/usr/bin/python3", "-c", script]);
        await client.WaitForExitAsync(timeout);
        return client.StandardOutput;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Ip("link", "del", "h" + Name);
        await Ip("netns", "del", Name);
    }

    private static async Task<int> Ip(params string[] args)
    {
        await using var p = ToolProcess.Start(IpPath, args);
        return await p.WaitForExitAsync(TimeSpan.FromSeconds(20));
    }
}
