using EmailRelay.Hosting;
using EmailRelay.Net;
using EmailRelay.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EmailRelay.Core.Tests.Hosting;

public class UnitRuntimeTests
{
    [Theory]
    [InlineData("exit:0,copy:bogus", "", "copy:bogus")]
    public async Task A_bad_spec_stops_startup_naming_it(string filter, string verifier, string named)
    {
        using var dir = new TestDirectory();
        var unit = new RelayUnit("", dir.Path, "example.org", false, []) { Filter = filter, AddressVerifier = verifier };
        var ex = await Assert.ThrowsAsync<ConfigurationException>(
            () => UnitRuntime.CreateAsync(unit, NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None));
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("spam:127.0.0.1:783", "")]
    [InlineData("exit:0,split:,deliver:,spam-edit:/run/spamd", "account:")]
    [InlineData("mx:127.0.0.1", "")]
    public async Task Spam_split_deliver_filters_and_the_account_verifier_compose_an_smtp_handler(string filter, string verifier)
    {
        using var dir = new TestDirectory();
        var unit = new RelayUnit("", dir.Path, "example.org", false, []) { Filter = filter, AddressVerifier = verifier };
        var runtime = await UnitRuntime.CreateAsync(unit, NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None);
        Assert.NotNull(runtime.HandlerFor(ListenService.Smtp));
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
