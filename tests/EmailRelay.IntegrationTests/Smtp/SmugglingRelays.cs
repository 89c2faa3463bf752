namespace EmailRelay.IntegrationTests.Smtp;

/// <summary>One relay per bare-newline policy, shared by the smuggling tests (each test uses its own sender, so messages do not mix).</summary>
public sealed class SmugglingRelays : IAsyncLifetime
{
    private StoringRelay? _normalise;
    private StoringRelay? _reject;
    private StoringRelay? _keep;

    internal StoringRelay Normalise => _normalise ?? throw new InvalidOperationException("not started");

    internal StoringRelay Reject => _reject ?? throw new InvalidOperationException("not started");

    internal StoringRelay Keep => _keep ?? throw new InvalidOperationException("not started");

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var starting = new[]
        {
            StoringRelay.StartAsync("--domain", "relay.example.org"),
            StoringRelay.StartAsync("--domain", "relay.example.org", "--server-smtp-config", "bare-newline-reject"),
            StoringRelay.StartAsync("--domain", "relay.example.org", "--server-smtp-config", "bare-newline-keep"),
        };
        var relays = await Task.WhenAll(starting);
        (_normalise, _reject, _keep) = (relays[0], relays[1], relays[2]);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        foreach (var relay in new[] { _normalise, _reject, _keep })
        {
            if (relay is not null)
            {
                await relay.DisposeAsync();
            }
        }
    }
}
