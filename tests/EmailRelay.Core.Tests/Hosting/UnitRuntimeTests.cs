using EmailRelay.Hosting;
using EmailRelay.Net;
using EmailRelay.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EmailRelay.Core.Tests.Hosting;

public class UnitRuntimeTests
{
    [Theory]
    [InlineData("net:127.0.0.1:10025", "", "filter \"net:127.0.0.1:10025\"")]
    [InlineData("exit:0,net:localhost:10025", "", "filter \"net:localhost:10025\"")]
    [InlineData("", "net:127.0.0.1:1", "address verifier \"net:127.0.0.1:1\"")]
    public async Task A_spec_whose_kind_is_not_built_stops_startup_naming_it(string filter, string verifier, string named)
    {
        using var dir = new TestDirectory();
        var unit = new RelayUnit("", dir.Path, "example.org", false, []) { Filter = filter, AddressVerifier = verifier };
        var ex = await Assert.ThrowsAsync<ConfigurationException>(
            () => UnitRuntime.CreateAsync(unit, NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None));
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_exit_filter_and_default_verifier_compose_an_smtp_handler()
    {
        using var dir = new TestDirectory();
        var unit = new RelayUnit("", dir.Path, "example.org", false, []) { Filter = "exit:0" };
        var runtime = await UnitRuntime.CreateAsync(unit, NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None);
        Assert.NotNull(runtime.HandlerFor(ListenService.Smtp));
        Assert.Throws<ConfigurationException>(() => runtime.HandlerFor(ListenService.Pop));
    }
}
