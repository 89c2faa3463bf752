using System.Globalization;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Auth;

/// <summary>
/// <c>--remote-clients</c> with a real non-local peer: a network namespace joined to this one by a veth
/// pair with addresses from 100.64.0.0/10 (not a local range), created here and deleted afterwards.
/// Needs root and <c>ip netns</c>; otherwise the test reports skipped.
/// </summary>
public sealed class RemoteClientsTests : IAsyncLifetime
{
    private NetworkNamespace? _ns;

    public async Task InitializeAsync() => _ns = await NetworkNamespace.TryCreateAsync();

    public async Task DisposeAsync()
    {
        if (_ns is not null)
        {
            await _ns.DisposeAsync();
        }
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_non_local_client_needs_remote_clients(bool remoteClients)
    {
        Skip.If(_ns is null, NetworkNamespace.Unavailable);

        using var dir = new TestDirectory();
        Directory.CreateDirectory(Path.Combine(dir.Path, "spool"));
        int port = FreePort.Get();
        List<string> args =
        [
            "--no-daemon", "--log", "--user", Environment.UserName, "--port", port.ToString(CultureInfo.InvariantCulture),
            "--interface", _ns.HostAddress, "--spool-dir", Path.Combine(dir.Path, "spool"),
        ];
        if (remoteClients)
        {
            args.Add("--remote-clients");
        }

        await using var relay = RelayProcess.Start(dir.Path, args);
        await relay.WaitForStderrAsync(l => l.Contains("smtp server on", StringComparison.Ordinal), "listening");
        string greeting = await _ns.ReadGreetingAsync(_ns.HostAddress, port, TimeSpan.FromSeconds(40));
        if (remoteClients)
        {
            Assert.StartsWith("220 ", greeting, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal("CLOSED", greeting);
            await relay.WaitForStderrAsync(l => l.Contains("configured to reject non-local smtp connection: " + _ns.PeerAddress, StringComparison.Ordinal), "rejection warning");
        }
    }
}
