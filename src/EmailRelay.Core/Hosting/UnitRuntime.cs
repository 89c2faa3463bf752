using EmailRelay.Admin;
using EmailRelay.Events;
using EmailRelay.Filters;
using EmailRelay.Net;
using EmailRelay.Smtp.Client;
using EmailRelay.Smtp.Server;
using EmailRelay.Spool;
using EmailRelay.Verifiers;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Hosting;

/// <summary>
/// The live objects of one <see cref="RelayUnit"/>: its spool, filter chain, address verifier and protocol
/// handlers, wired by hand (this is the composition root). Calling sequence: <see cref="CreateAsync"/> at
/// startup (which recovers stale spool locks and reports configuration errors as
/// <see cref="ConfigurationException"/>), then <see cref="HandlerFor"/> for each of the unit's listeners.
/// </summary>
internal sealed class UnitRuntime
{
    private readonly IConnectionHandler _smtp;
    private Pop3.Pop3ServerConnectionHandler? _pop;

    private UnitRuntime(RelayUnit unit, FileSpool spool, IConnectionHandler smtp)
    {
        Unit = unit;
        Spool = spool;
        _smtp = smtp;
    }

    /// <summary>What the admin interface acts on (and the forwarder's seam: set its delegates).</summary>
    public RelayControl Control { get; private set; } = null!;

    private IConnectionHandler? Admin { get; set; }

    /// <summary>The unit this runtime serves.</summary>
    public RelayUnit Unit { get; }

    /// <summary>The unit's spool.</summary>
    public FileSpool Spool { get; }

    /// <summary>The unit's event stream (admin <c>notify</c> and the OUT counters subscribe to it).</summary>
    public RelayEvents Events { get; private init; } = new();

    /// <summary>The unit's forwarder, or null when it does not forward.</summary>
    internal Forwarder? Forwarder { get; private init; }

    /// <summary>Builds the unit's objects and recovers the spool's stale locks.</summary>
    /// <param name="unit">The unit.</param>
    /// <param name="loggerFactory">Loggers.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="cancellationToken">Cancels start-up.</param>
    /// <param name="terminate">Stops the process (admin <c>terminate</c>); null: the command does nothing.</param>
    public static async Task<UnitRuntime> CreateAsync(RelayUnit unit, ILoggerFactory loggerFactory, TimeProvider timeProvider, CancellationToken cancellationToken, Action? terminate = null)
    {
        ArgumentNullException.ThrowIfNull(unit);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var filterEnvironment = new FilterEnvironment
        {
            TimeProvider = timeProvider,
            Timeout = unit.FilterTimeout,
            DeliveryDirectory = unit.DeliveryDirectory,
            SpoolDirectory = unit.SpoolDirectory,
            Domain = unit.Domain,
            Logger = loggerFactory.CreateLogger("EmailRelay.Filters"),
        };
        if (!new FilterFactory(filterEnvironment).TryCreate(unit.Filter, out var filter, out var error))
        {
            throw new ConfigurationException(error);
        }

        if (!VerifierFactory.TryCreate(unit.AddressVerifier, filterEnvironment, out var verifier, out error))
        {
            throw new ConfigurationException(error);
        }

        var spool = new FileSpool(unit.SpoolDirectory, loggerFactory.CreateLogger("EmailRelay.Spool"), timeProvider);
        await spool.RecoverAsync(cancellationToken);
        // An empty --filter stays quiet (reference §c): no filter at all rather than a logged no-op.
        var events = new RelayEvents();
        var services = new SmtpServerServices(spool, verifier, filter is EmptyFilter ? null : filter, timeProvider, loggerFactory.CreateLogger("EmailRelay.Smtp.Server"))
        {
            Events = events,
        };
        services = AuthTlsComposition.Apply(unit, services, loggerFactory, timeProvider);

        Forwarder? forwarder = null;
        if (ClientAuthTlsComposition.Apply(unit.Forwarding, loggerFactory, timeProvider) is { } forwarding && !ForwarderComposition.TryCreate(forwarding, spool, timeProvider, loggerFactory, events, out forwarder, out error, filterEnvironment))
        {
            throw new ConfigurationException(error);
        }

        services = forwarder is null ? services : services with { ForwardingRequested = () => forwarder.Request("rescan") };
        services = forwarder is { Options.Immediate: true } ? services with { OpenImmediateSession = forwarder.OpenImmediateSession } : services;
        var smtp = new SmtpServerConnectionHandler(unit.Smtp with { Unit = unit.Name }, services);
        var disabledSmtp = new SmtpServerConnectionHandler(unit.Smtp with { Unit = unit.Name, Policy = unit.Smtp.Policy with { Enabled = false } }, services);
        var gate = new SmtpConnectionGate(smtp, disabledSmtp);
        var control = new RelayControl(spool, gate, timeProvider, terminate ?? (() => { }));
        events.Subscribe(control.Inbound);
        if (forwarder is not null)
        {
            ForwarderControl.Attach(control, forwarder);
            events.Subscribe(new AdminEventSubscriber(control));
        }

        var runtime = new UnitRuntime(unit, spool, DnsblComposition.Wrap(unit, gate, control, timeProvider, loggerFactory))
        {
            Events = events,
            Forwarder = forwarder,
            Control = control,
            Admin = new AdminConnectionHandler(control, unit.AdminTerminate, loggerFactory.CreateLogger("EmailRelay.Admin")) { MaxLineLength = unit.Smtp.Limits.AdminMaxLineLength },
        };
        runtime._pop = PopComposition.Create(unit, spool, loggerFactory, timeProvider, events);
        return runtime;
    }

    /// <summary>The connection handler for one of the unit's services.</summary>
    public IConnectionHandler HandlerFor(ListenService service) => service switch
    {
        ListenService.Smtp => ForwardOnDisconnectHandler.Wrap(_smtp, Forwarder),
        ListenService.Pop when _pop is not null => _pop,
        ListenService.Admin when Admin is not null => Admin,
        _ => throw new ConfigurationException("the " + Listener.ServiceName(service) + " server is not available in this version"),
    };
}
