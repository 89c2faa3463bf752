using EmailRelay.Auth;
using EmailRelay.Hosting;
using EmailRelay.Spool;
using EmailRelay.Web.Auth;
using EmailRelay.Web.Live;
using EmailRelay.Web.Metrics;
using EmailRelay.Web.Queue;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Web;

/// <summary>Everything the console's request handlers share, for one unit (built by <see cref="WebConsole"/>).</summary>
internal sealed class ConsoleContext
{
    /// <summary>The unit's live objects (spool, events, admin control, forwarder).</summary>
    public required UnitRuntime Runtime { get; init; }

    /// <summary>Reads and single-message verbs over the unit's spool.</summary>
    public required SpoolInspector Inspector { get; init; }

    /// <summary>The queue index.</summary>
    public required SpoolIndex Index { get; init; }

    /// <summary>Rates, sessions, forwarding state.</summary>
    public required RelayActivity Activity { get; init; }

    /// <summary>The <c>/metrics</c> writer.</summary>
    public required PrometheusExporter Exporter { get; init; }

    /// <summary>The SSE fan-out.</summary>
    public required EventHub Hub { get; init; }

    /// <summary>Signed-in sessions.</summary>
    public required ConsoleSessions Sessions { get; init; }

    /// <summary>The accounts, or null with <c>--http-no-auth</c>.</summary>
    public ConsoleAccounts? Accounts { get; init; }

    /// <summary>The identity of every request with <c>--http-no-auth</c> (admin), or null.</summary>
    public ConsoleSession? Anonymous { get; init; }

    /// <summary>True when the listener is HTTPS (cookies get <c>Secure</c>).</summary>
    public bool Secure { get; init; }

    /// <summary>True while the relay's listeners are bound (for <c>/readyz</c>).</summary>
    public required Func<bool> Listening { get; init; }

    /// <summary>The clock.</summary>
    public required TimeProvider Time { get; init; }

    /// <summary>Where actions and refusals are logged.</summary>
    public required ILogger Logger { get; init; }

    /// <summary>When the console started (the first poll's reference when no run was seen yet).</summary>
    public required DateTimeOffset Started { get; init; }

    /// <summary>Cancelled when the console stops (ends the event streams).</summary>
    public required CancellationToken Stopping { get; init; }
}
