using System.Globalization;
using EmailRelay.Auth;
using EmailRelay.Cli.CommandLine;

namespace EmailRelay.Cli.Daemon;

/// <summary>
/// Runs socket completions on the runtime's socket event threads (E-MailRelay's shape: one event loop serving
/// the connections) instead of handing each one to a thread-pool worker. The runtime reads these settings only
/// from environment variables, once, when the first socket is registered, so <see cref="Apply"/> must run before
/// any socket exists; a value the operator already set is kept. The managed environment is changed, not the
/// process's: filters and verifiers get their own fixed environment (<c>ProcessRunner</c>), and a re-executed
/// daemon child inherits the same values.
/// <para>Measured (bench/RESULTS.md, "Storing server CPU per message"): 1 KiB messages at c=10 on a 2-core machine,
/// CPU per message about a third lower and context switches per message from about 15 to 2, because a read
/// completion no longer wakes a worker thread (epoll thread, then a pool worker) and the idle workers no longer
/// spin. Our code never blocks on a task (BannedSymbols.txt) and performs no synchronous operation on a socket
/// that is also used asynchronously, so nothing on an event thread waits for that same thread.</para>
/// <para>Two configured checks do block their calling thread, in native code the SMTP and POP sessions call
/// synchronously: PAM (<c>--server-auth pam:</c>, <c>--pop-auth pam:</c>: password hashing, and libpam's delay of
/// about 2 s after a failure) and the <c>account:</c> verifier (the system's user database, which NSS may look up
/// over the network). On an event thread that would stall every connection it serves, so with either of them the
/// completions stay on the thread pool, as the runtime does by default.</para>
/// </summary>
internal static class SocketEngineSettings
{
    /// <summary>The runtime's switch: socket continuations run inline on the event thread.</summary>
    public const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>The runtime's number of socket event threads (each one an epoll loop).</summary>
    public const string ThreadCount = "DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT";

    /// <summary>
    /// Sets both variables unless already set. Event threads: half the processors, at least one (the runtime's
    /// inline default is one per processor, which on 2 cores put two busy event loops beside the clients and cost
    /// about 10 % more CPU per message than one); the other half stay for the thread pool (timers, filters, file syncs).
    /// </summary>
    public static void Apply(RelayCommandLine commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        if (!OperatingSystem.IsLinux() || commandLine.Units.Any(HasBlockingCheck))
        {
            return;
        }

        SetIfUnset(InlineCompletions, "1");
        SetIfUnset(ThreadCount, Math.Max(1, Environment.ProcessorCount / 2).ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>True if the unit authenticates through PAM or verifies addresses with <c>account:</c>.</summary>
    internal static bool HasBlockingCheck(UnitOptions unit) =>
        (unit.Get("server-auth") is { } server && SecretStores.IsPam(server)) ||
        (unit.Get("pop-auth") is { } pop && SecretStores.IsPam(pop)) ||
        (unit.Get("address-verifier") ?? "").StartsWith("account:", StringComparison.Ordinal);

    private static void SetIfUnset(string name, string value)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name)))
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}
