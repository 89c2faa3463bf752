using System.Net;
using System.Text;
using EmailRelay.Filters;
using EmailRelay.Net;
using EmailRelay.Protocol.Filters;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Smtp.Server;
using EmailRelay.Smtp.Server;
using EmailRelay.Spool;
using EmailRelay.Testing;
using EmailRelay.Verifiers;
using Microsoft.Extensions.Time.Testing;

namespace EmailRelay.Core.Tests.Smtp.Server;

/// <summary>One SMTP server connection over a <see cref="TranscriptClient"/>, with fakes around it.</summary>
internal sealed class SmtpServerHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _shutdown = new();
    private readonly CancellationTokenSource _draining = new();

    private SmtpServerHarness(bool byteAtATime, SmtpServerPolicy policy, RelayLimits limits, bool withTls, EmailRelay.Events.RelayEvents? events)
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 2, 22, 19, TimeSpan.Zero));
        Time.SetLocalTimeZone(TimeZoneInfo.Utc);
        Spool = new MemorySpool(Time);
        Client = new TranscriptClient(byteAtATime);
        var services = new SmtpServerServices(Spool, new FakeVerifier(this), new FakeFilter(this), Time, Logger)
        {
            ForwardingRequested = () => Interlocked.Increment(ref _forwardingRequests),
            TlsUpgrader = withTls ? (stream, _) => Task.FromResult(stream) : null,
            TlsCipher = withTls ? _ => "TLS_FAKE" : null,
            Events = events ?? new(),
        };
        var options = new SmtpServerOptions { Policy = policy, Limits = limits };
        Connection = new SmtpServerConnection(Client.ServerStream, new IPEndPoint(IPAddress.Loopback, 40630), 1, options, services);
        Server = Task.Run(() => Connection.RunAsync(_shutdown.Token, _draining.Token));
    }

    private int _forwardingRequests;

    public FakeTimeProvider Time { get; }

    public MemorySpool Spool { get; }

    public TranscriptClient Client { get; }

    public SmtpServerConnection Connection { get; }

    public Task Server { get; }

    public ListLogger Logger { get; } = new();

    public Func<string, VerifierResult> Verify { get; set; } = VerifierResult.AcceptRemote;

    public FilterResult FilterResult { get; set; } = FilterResult.Ok;

    public List<Envelope> Envelopes { get; } = [];

    public int ForwardingRequests => Volatile.Read(ref _forwardingRequests);

    public static async Task<SmtpServerHarness> StartAsync(bool byteAtATime, SmtpServerPolicy? policy = null, RelayLimits? limits = null, bool withTls = false,
        EmailRelay.Events.RelayEvents? events = null)
    {
        var harness = new SmtpServerHarness(byteAtATime, policy ?? SmtpServerPolicy.Default with { Domain = "vm" }, limits ?? RelayLimits.Default, withTls, events);
        await harness.Client.ExpectCodeAsync(220);
        return harness;
    }

    public void Shutdown() => _shutdown.Cancel();

    /// <summary>Starts a drain (issue 22): the connection ends at its next command boundary.</summary>
    public void Drain() => _draining.Cancel();

    /// <summary>The content of the only committed message.</summary>
    public string CommittedContent()
    {
        var id = Assert.Single(Committed());
        return Encoding.UTF8.GetString(Spool.GetContent(id)!);
    }

    public List<MessageId> Committed() => Spool.ListAsync(SpoolView.Ready, CancellationToken.None).ToBlockingEnumerable().ToList();

    public async Task EhloMailRcptAsync()
    {
        await Client.SendAsync("EHLO client.example.com");
        await Client.ExpectCodeAsync(250);
        await Client.SendAsync("MAIL FROM:<a@b.c>");
        await Client.ExpectAsync("250 sender <a@b.c> OK");
        await Client.SendAsync("RCPT TO:<r@d.e>");
        await Client.ExpectAsync("250 recipient <r@d.e> OK");
    }

    /// <summary>Waits for the server task to end, with a deadline.</summary>
    public async Task ServerEndedAsync() => await Server.WaitAsync(TimeSpan.FromSeconds(10));

    public async ValueTask DisposeAsync()
    {
        _shutdown.Cancel();
        try
        {
            await Server.WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            await Client.DisposeAsync();
            Connection.Dispose();
            _shutdown.Dispose();
            _draining.Dispose();
        }
    }

    private sealed class FakeVerifier(SmtpServerHarness harness) : IAddressVerifier
    {
        public Task<VerifierResult> VerifyAsync(VerifierRequest request, CancellationToken cancellationToken) => Task.FromResult(harness.Verify(request.Address));
    }

    private sealed class FakeFilter(SmtpServerHarness harness) : IMessageFilter
    {
        public string Name => "fake";

        public Task<FilterResult> RunAsync(FilterContext context, CancellationToken cancellationToken)
        {
            Assert.True(context.IsServerSide);
            return Task.FromResult(harness.FilterResult);
        }
    }
}
