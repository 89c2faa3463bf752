using EmailRelay.Cli.Logging;
using EmailRelay.Hosting;
using EmailRelay.Smtp.Client;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Cli.Hosting;

/// <summary>
/// Starts the units' forwarders next to the servers (reference §h "Forwarding triggers"): a one-shot run for
/// <c>--as-client</c> (or <c>--dont-serve --forward</c>) with its exit code, otherwise the trigger loops with a
/// startup run for <c>--forward</c>.
/// </summary>
internal static class ForwardingLauncher
{
    /// <summary>The message for <c>--as-client</c> on an empty spool (reference §a).</summary>
    public const string NoMessages = "emailrelay: no messages to send";

    /// <summary>Runs forwarding and the servers until shutdown (or until the one-shot run ends).</summary>
    /// <param name="runtimes">The units.</param>
    /// <param name="serve">Runs the listeners until shutdown.</param>
    /// <param name="provider">The log output, for the connect-failure error line.</param>
    /// <param name="hasListeners">Whether any server listens.</param>
    /// <param name="shutdown">Shutdown.</param>
    /// <returns>The exit code: 1 when a one-shot run could not connect, else 0.</returns>
    public static async Task<int> RunAsync(IReadOnlyList<UnitRuntime> runtimes, Func<Task> serve, RelayLoggerProvider provider, bool hasListeners, CancellationToken shutdown)
    {
        ArgumentNullException.ThrowIfNull(runtimes);
        ArgumentNullException.ThrowIfNull(serve);
        ArgumentNullException.ThrowIfNull(provider);
        var forwarders = runtimes.Select(r => r.Forwarder).OfType<Forwarder>().ToList();
        var oneShot = forwarders.Where(f => f.Options.ExitAfterRun).ToList();
        if (oneShot.Count > 0 && !hasListeners)
        {
            var code = 0;
            foreach (var forwarder in oneShot)
            {
                var result = await forwarder.RunOnceAsync(shutdown);
                if (result.ConnectError is { } error)
                {
                    // E-MailRelay: "error: dns error: no such host: ..." stands alone; others are connect failures.
                    provider.Write(LogLevel.Error, error.StartsWith("dns error: ", StringComparison.Ordinal) ? error : "connect failure: " + error);
                    code = 1;
                }
                else if (result.Candidates == 0 && forwarder.Options.AsClient)
                {
                    await Console.Error.WriteLineAsync(NoMessages);
                }
            }

            return code;
        }

        // Each loop runs in its unit's log scope, so forwarder lines carry "[<unit>] " with --log-format=unit (reference §k).
        var loops = runtimes.Where(r => r.Forwarder is not null).Select(r =>
        {
            using var unitScope = provider.Scopes.Push(new Diagnostics.ConnectionLogScope(r.Unit.Name, null, 0));
            return r.Forwarder!.RunAsync(shutdown);
        }).ToList();
        foreach (var forwarder in forwarders.Where(f => f.Options.ForwardAtStartup))
        {
            forwarder.Request("forward");
        }

        await serve();
        if (!hasListeners && loops.Count > 0)
        {
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, shutdown);
            }
            catch (OperationCanceledException)
            {
            }
        }

        await Task.WhenAll(loops);
        return 0;
    }
}
