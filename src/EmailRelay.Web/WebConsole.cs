using EmailRelay.Auth;
using EmailRelay.Hosting;
using EmailRelay.Net;
using EmailRelay.Spool;
using EmailRelay.Tls;
using EmailRelay.Web.Api;
using EmailRelay.Web.Auth;
using EmailRelay.Web.Live;
using EmailRelay.Web.Metrics;
using EmailRelay.Web.Queue;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Web;

/// <summary>
/// The web console of one unit (the first: the main one): a Kestrel listener built with ASP.NET Core's empty
/// builder (Kestrel core, routing core, nothing read from configuration files or the environment), serving the
/// pages, <c>/api/v1</c>, <c>/metrics</c>, <c>/healthz</c> and <c>/readyz</c>. Calling sequence:
/// <see cref="StartAsync"/> once the relay's listeners are bound (before privileges are dropped, so it may bind a
/// low port), then <see cref="DisposeAsync"/> at shutdown. While it runs it subscribes to the unit's events, so
/// they cost nothing when the console is off.
/// </summary>
internal sealed class WebConsole : IAsyncDisposable
{
    private readonly List<IDisposable> _subscriptions = [];
    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _app;
    private SpoolIndex? _index;
    private RelayMetrics? _metrics;
    private PrometheusExporter? _exporter;

    private WebConsole()
    {
    }

    /// <summary>The bound addresses (<c>127.0.0.1:8080</c>).</summary>
    public IReadOnlyList<string> Addresses { get; private set; } = [];

    /// <summary>
    /// Builds and starts the console; throws <see cref="ConfigurationException"/> for a bad setting (no accounts,
    /// <c>--http-no-auth</c> on a listener that is not loopback only) and <see cref="ListenerBindException"/> when it
    /// cannot bind.
    /// </summary>
    public static async Task<WebConsole> StartAsync(WebConsoleOptions options, UnitRuntime runtime, Func<bool> listening, ILoggerFactory loggerFactory, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var logger = loggerFactory.CreateLogger("EmailRelay.Web");
        if (options.NoAuth && !options.IsLoopbackOnly)
        {
            throw new ConfigurationException("--http-no-auth needs a loopback-only --http listener (no --remote-clients, no non-loopback http= interface)");
        }

        if (!options.NoAuth && options.AuthFile is null)
        {
            throw new ConfigurationException("--http requires --http-auth (or --http-no-auth on a loopback-only listener)");
        }

        ConsoleAccounts? accounts = null;
        if (!options.NoAuth)
        {
            try
            {
                accounts = ConsoleAccounts.Load(options.AuthFile!, time, loggerFactory.CreateLogger("EmailRelay.Auth"));
            }
            catch (SecretsFileException exception)
            {
                throw new ConfigurationException(exception.Message, exception);
            }
        }

        var console = new WebConsole();
        try
        {
            await console.BuildAsync(options, runtime, listening, accounts, logger, time, cancellationToken);
        }
        catch
        {
            await console.DisposeAsync();
            throw;
        }

        return console;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }

        _subscriptions.Clear();
        if (_app is not null)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _app.StopAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
            }

            await _app.DisposeAsync();
            _app = null;
        }

        if (_index is not null)
        {
            await _index.DisposeAsync();
        }

        _exporter?.Dispose();
        _metrics?.Dispose();
        _stopping.Dispose();
    }

    private async Task BuildAsync(WebConsoleOptions options, UnitRuntime runtime, Func<bool> listening, ConsoleAccounts? accounts, ILogger logger, TimeProvider time, CancellationToken cancellationToken)
    {
        var inspector = new SpoolInspector(runtime.Spool);
        _index = new SpoolIndex(inspector, time, logger, TimeSpan.FromSeconds(10));
        _metrics = new RelayMetrics(_index, time);
        _exporter = new PrometheusExporter(RelayMetrics.MeterName);
        var activity = new RelayActivity(time);
        var console = new ConsoleContext
        {
            Runtime = runtime,
            Inspector = inspector,
            Index = _index,
            Activity = activity,
            Exporter = _exporter,
            Hub = new EventHub(),
            Sessions = new ConsoleSessions(time),
            Accounts = accounts,
            Anonymous = options.NoAuth ? new ConsoleSession("(no sign-in)", ConsoleRole.Admin, ConsoleSessions.NewToken()) : null,
            Secure = options.Tls is not null,
            Listening = listening,
            Time = time,
            Logger = logger,
            Started = time.GetUtcNow(),
            Stopping = _stopping.Token,
        };
        _index.Changed += id => LiveStream.PublishChange(console, id);
        _subscriptions.Add(runtime.Events.Subscribe(_index));
        _subscriptions.Add(runtime.Events.Subscribe(_metrics));
        _subscriptions.Add(runtime.Events.Subscribe(activity));
        _index.Start();

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "emailrelay" });
        builder.Services.AddSingleton<IHostLifetime, RelayHostLifetime>();
        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore();
        if (options.Tls is not null)
        {
            builder.WebHost.UseKestrelHttpsConfiguration();
        }

        var certificate = options.Tls is { } tls ? LoadCertificate(tls) : default;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 64 * 1024;
            kestrel.Limits.MaxConcurrentConnections = 256;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromMinutes(2);
            foreach (var endpoint in options.Endpoints)
            {
                kestrel.Listen(endpoint, listen =>
                {
                    if (certificate.Certificate is not null)
                    {
                        listen.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificate = certificate.Certificate, ServerCertificateChain = certificate.Chain });
                    }
                });
            }
        });
        var app = builder.Build();
        _app = app;
        app.Use((context, next) => RequestAuth.GateAsync(console, context, next));
        HealthEndpoints.Map(app, console);
        ApiEndpoints.Map(app, console);
        PageEndpoints.Map(app);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException exception)
        {
            throw new ListenerBindException("cannot bind the http listener: " + exception.Message, exception);
        }

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        Addresses = [.. addresses.Select(a => a[(a.IndexOf("://", StringComparison.Ordinal) + 3)..])];
        foreach (var address in Addresses)
        {
            Log.Listening(logger, (options.Tls is null ? "" : "https ") + address);
        }
    }

    private static (System.Security.Cryptography.X509Certificates.X509Certificate2? Certificate, System.Security.Cryptography.X509Certificates.X509Certificate2Collection? Chain) LoadCertificate(TlsServerSettings tls)
    {
        try
        {
            var (certificate, chain) = TlsCertificates.Load(tls.Certificate, tls.SecondCertificate);
            return (certificate, chain);
        }
        catch (Exception exception) when (exception is IOException or System.Security.Cryptography.CryptographicException or UnauthorizedAccessException or TlsConfigurationException)
        {
            throw new ConfigurationException("--http: cannot load the server certificate: " + exception.Message, exception);
        }
    }

    /// <summary>Leaves signals and shutdown to the relay (ASP.NET Core's console lifetime would take SIGTERM).</summary>
    private sealed class RelayHostLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
