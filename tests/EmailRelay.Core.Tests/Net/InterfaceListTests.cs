using System.Net;
using System.Net.Sockets;
using EmailRelay.Net;

namespace EmailRelay.Core.Tests.Net;

public class InterfaceListTests
{
    private static readonly Dictionary<ListenService, int> s_smtpOnly = new() { [ListenService.Smtp] = 25 };
    private static readonly Dictionary<ListenService, int> s_all = new()
    {
        [ListenService.Smtp] = 25,
        [ListenService.Pop] = 110,
        [ListenService.Admin] = 1234,
    };

    private static IReadOnlyList<IPAddress>? FakeInterfaces(string name) => name switch
    {
        "eth0" => [IPAddress.Parse("192.168.1.5"), IPAddress.Parse("fe80::5")],
        "lo" => [IPAddress.Loopback],
        _ => null,
    };

    private static string[] Texts(IReadOnlyList<ListenEndpoint> endpoints) =>
        [.. endpoints.Select(e => Listener.ServiceName(e.Service) + " " + e.DisplayText)];

    [Fact]
    public void No_interface_listens_on_any_ipv4_and_any_ipv6()
    {
        var result = InterfaceList.Resolve([], s_smtpOnly, FakeInterfaces);
        Assert.Equal(["smtp 0.0.0.0:25", "smtp ::.25"], Texts(result));
        Assert.All(result, e => Assert.True(e.IsDefault));
    }

    [Fact]
    public void Addresses_apply_to_every_service()
    {
        var result = InterfaceList.Resolve(["127.0.0.1,::1"], s_all, FakeInterfaces);
        Assert.Equal(
            ["smtp 127.0.0.1:25", "pop 127.0.0.1:110", "admin 127.0.0.1:1234", "smtp ::1.25", "pop ::1.110", "admin ::1.1234"],
            Texts(result));
    }

    [Fact]
    public void Qualifiers_limit_an_entry_and_other_services_get_the_default()
    {
        var result = InterfaceList.Resolve(["smtp=127.0.0.1", "admin=::1"], s_all, FakeInterfaces);
        Assert.Equal(["smtp 127.0.0.1:25", "admin ::1.1234", "pop 0.0.0.0:110", "pop ::.110"], Texts(result));
    }

    [Fact]
    public void Interface_names_expand_to_their_addresses_and_can_pick_a_family()
    {
        Assert.Equal(["smtp 192.168.1.5:25", "smtp fe80::5.25"], Texts(InterfaceList.Resolve(["eth0"], s_smtpOnly, FakeInterfaces)));
        Assert.Equal(["smtp 192.168.1.5:25"], Texts(InterfaceList.Resolve(["eth0-ipv4"], s_smtpOnly, FakeInterfaces)));
        Assert.Equal(["smtp fe80::5.25"], Texts(InterfaceList.Resolve(["eth0-ipv6"], s_smtpOnly, FakeInterfaces)));
    }

    [Fact]
    public void Unix_paths_and_inherited_descriptors_are_accepted()
    {
        var result = InterfaceList.Resolve(["/run/emailrelay.s,pop=fd#3"], s_all, FakeInterfaces);
        Assert.Contains(result, e => e.Service == ListenService.Smtp && e.EndPoint is UnixDomainSocketEndPoint);
        Assert.Contains(result, e => e.Service == ListenService.Pop && e.InheritedDescriptor == 3 && e.DisplayText == "fd#3");
    }

    [Fact]
    public void Link_local_address_with_zone_is_parsed()
    {
        var result = InterfaceList.Resolve(["fe80::1%1"], s_smtpOnly, FakeInterfaces);
        var ip = Assert.IsType<IPEndPoint>(Assert.Single(result).EndPoint);
        Assert.Equal(1, ip.Address.ScopeId);
    }

    [Theory]
    [InlineData("client=127.0.0.1")]
    [InlineData("nosuchinterface0")]
    [InlineData("bogus=127.0.0.1")]
    [InlineData("fd#x")]
    [InlineData("lo-ipv6")]
    public void Invalid_entries_are_errors(string entry)
    {
        Assert.Throws<FormatException>(() => InterfaceList.Resolve([entry], s_smtpOnly, FakeInterfaces));
    }

    [Fact]
    public void Services_that_are_off_get_nothing()
    {
        Assert.Empty(InterfaceList.Resolve(["pop=127.0.0.1"], new Dictionary<ListenService, int>(), FakeInterfaces));
    }
}
