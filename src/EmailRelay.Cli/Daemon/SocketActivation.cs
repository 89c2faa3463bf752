using System.Globalization;

namespace EmailRelay.Cli.Daemon;

/// <summary>
/// systemd socket activation (<c>sd_listen_fds(3)</c>): when <c>LISTEN_PID</c> is this process, the
/// <c>LISTEN_FDS</c> descriptors from 3 on are listening sockets, named by <c>LISTEN_FDNAMES</c> (colon-separated,
/// the socket units' <c>FileDescriptorName=</c>). A name <c>smtp</c>, <c>pop</c> or <c>admin</c> is that listener
/// of the first unit, <c>&lt;unit&gt;-smtp</c> (and so on) that listener of a named unit; any other name (systemd's
/// default is the socket unit's name) is the first unit's SMTP listener. The sockets become <c>fd#N</c>
/// <c>--interface</c> entries of their unit (E-MailRelay's own inherited-socket form), replacing the unit's
/// <c>--interface</c> entries for the services they serve; the unit's other services keep theirs. The descriptors
/// are marked close-on-exec and the variables removed, so filters inherit neither. Needs <c>--no-daemon</c>
/// (the daemon's child is not <c>LISTEN_PID</c>).
/// </summary>
internal static class SocketActivation
{
    /// <summary>The first passed descriptor, <c>SD_LISTEN_FDS_START</c>.</summary>
    public const int FirstDescriptor = 3;

    private static readonly string[] s_services = ["smtp", "pop", "admin"];

    /// <summary>One passed socket: its descriptor, the unit it is for (empty for the first) and the service word.</summary>
    public sealed record Socket(int Descriptor, string Unit, string Service);

    /// <summary>The sockets the variables pass to <paramref name="processId"/>; empty when they are not for it.</summary>
    public static IReadOnlyList<Socket> Parse(string? listenPid, string? listenFds, string? listenFdNames, int processId, IReadOnlyCollection<string> unitNames)
    {
        ArgumentNullException.ThrowIfNull(unitNames);
        if (!int.TryParse(listenPid, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid != processId
            || !int.TryParse(listenFds, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count <= 0)
        {
            return [];
        }

        var names = listenFdNames?.Split(':') ?? [];
        var result = new List<Socket>();
        for (var i = 0; i < count; i++)
        {
            var (unit, service) = Assign(i < names.Length ? names[i] : "", unitNames);
            result.Add(new Socket(FirstDescriptor + i, unit, service));
        }

        return result;
    }

    /// <summary>Reads the variables for this process, removes them, and marks the descriptors close-on-exec.</summary>
    public static IReadOnlyList<Socket> FromEnvironment(IReadOnlyCollection<string> unitNames)
    {
        var sockets = Parse(
            Environment.GetEnvironmentVariable("LISTEN_PID"),
            Environment.GetEnvironmentVariable("LISTEN_FDS"),
            Environment.GetEnvironmentVariable("LISTEN_FDNAMES"),
            Environment.ProcessId,
            unitNames);
        if (sockets.Count > 0)
        {
            foreach (var name in new[] { "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES" })
            {
                Environment.SetEnvironmentVariable(name, null);
            }

            foreach (var socket in sockets)
            {
                _ = NativeMethods.Fcntl(socket.Descriptor, NativeMethods.SetDescriptorFlags, NativeMethods.CloseOnExec);
            }
        }

        return sockets;
    }

    /// <summary>
    /// A unit's <c>--interface</c> entries with the passed sockets in: <c>service=fd#N</c> for each socket of the
    /// unit, then the given entries less those for a service that has passed sockets (an unqualified address entry
    /// is kept for the other services only).
    /// </summary>
    public static IReadOnlyList<string> Interfaces(string unit, IReadOnlyList<string> given, IReadOnlyList<Socket> sockets)
    {
        ArgumentNullException.ThrowIfNull(given);
        ArgumentNullException.ThrowIfNull(sockets);
        var mine = sockets.Where(s => string.Equals(s.Unit, unit, StringComparison.Ordinal)).ToList();
        if (mine.Count == 0)
        {
            return given;
        }

        var activated = mine.Select(s => s.Service).ToHashSet(StringComparer.Ordinal);
        var result = mine.Select(s => s.Service + "=fd#" + s.Descriptor.ToString(CultureInfo.InvariantCulture)).ToList();
        foreach (var entry in given.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                if (!activated.Contains(entry[..eq].ToLowerInvariant()))
                {
                    result.Add(entry);
                }

                continue;
            }

            var oneService = entry.StartsWith('/') || entry.StartsWith("fd#", StringComparison.Ordinal);
            foreach (var service in oneService ? ["smtp"] : s_services)
            {
                if (!activated.Contains(service))
                {
                    result.Add(service + "=" + entry);
                }
            }
        }

        return result;
    }

    private static (string Unit, string Service) Assign(string name, IReadOnlyCollection<string> unitNames)
    {
        if (s_services.Contains(name, StringComparer.Ordinal))
        {
            return ("", name);
        }

        var dash = name.LastIndexOf('-');
        if (dash > 0 && s_services.Contains(name[(dash + 1)..], StringComparer.Ordinal) && unitNames.Contains(name[..dash], StringComparer.Ordinal))
        {
            return (name[..dash], name[(dash + 1)..]);
        }

        return ("", "smtp");
    }
}
