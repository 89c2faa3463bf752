using EmailRelay.Cli.CommandLine;
using EmailRelay.Cli.Hosting;
using EmailRelay.Hosting;

namespace EmailRelay.Core.Tests.Hosting;

public class ForwardingOptionsMapperTests
{
    private static UnitOptions Options(params (string Name, string Value)[] values) =>
        new(string.Empty, values.GroupBy(v => v.Name).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(v => v.Value)]));

    [Fact]
    public void Client_tls_and_auth_options_map_to_the_policy_and_settings_with_paths_resolved()
    {
        var forwarding = ForwardingOptionsMapper.Map(Options(("forward-to", "smtp.example:25"), ("client-tls", ""), ("client-tls-required", ""),
            ("client-tls-verify", "ca.pem"), ("client-tls-verify-name", "smtp.example"), ("client-tls-server-name", "sni.example"),
            ("client-tls-certificate", "key.pem"), ("client-tls-certificate", "cert.pem"), ("tls-config", "tlsv1.3"),
            ("client-auth", "secrets"), ("client-auth-config", "m:plain;x:login"), ("anonymous", "client")), "d.example", "/start")!;
        var policy = forwarding.Client.Policy;
        Assert.True(policy.StartTls);
        Assert.False(policy.ImplicitTls);
        Assert.True(policy.TlsRequired);
        Assert.True(policy.AnonymousAuth);
        Assert.Equal(["PLAIN"], policy.AuthConfig.Apply(["PLAIN", "LOGIN", "CRAM-MD5"], secure: false));
        var tls = forwarding.Client.TlsSettings!;
        Assert.Equal("/start/ca.pem", tls.Verify);
        Assert.Equal("smtp.example", tls.VerifyName);
        Assert.Equal("sni.example", tls.ServerName);
        Assert.Equal("/start/key.pem", tls.Certificate);
        Assert.Equal("/start/cert.pem", tls.SecondCertificate);
        Assert.Equal(System.Security.Authentication.SslProtocols.Tls13, tls.Config.Protocols);
        Assert.Equal("/start/secrets", forwarding.Client.ClientAuth);
    }

    [Theory]
    [InlineData("<default>", "<default>")]
    [InlineData("<none>", null)]
    public void Special_verify_values_are_kept(string value, string? expected) =>
        Assert.Equal(expected, ForwardingOptionsMapper.Map(Options(("forward-to", "h:25"), ("client-tls-connection", ""), ("client-tls-verify", value)), "d.example", "/start")!.Client.TlsSettings!.Verify);

    [Fact]
    public void Inline_plain_auth_is_not_a_path_and_no_tls_options_means_no_tls()
    {
        var forwarding = ForwardingOptionsMapper.Map(Options(("forward-to", "h:25"), ("client-auth", "plain:YQ==:Yg==")), "d.example", "/start")!;
        Assert.Equal("plain:YQ==:Yg==", forwarding.Client.ClientAuth);
        Assert.Null(forwarding.Client.TlsSettings);
        Assert.False(forwarding.Client.Policy.StartTls || forwarding.Client.Policy.ImplicitTls || forwarding.Client.Policy.AnonymousAuth);
    }

    [Fact]
    public void A_bad_tls_config_is_a_configuration_error() =>
        Assert.Throws<ConfigurationException>(() => ForwardingOptionsMapper.Map(Options(("forward-to", "h:25"), ("client-tls", ""), ("tls-config", "bogus")), "d.example", "/start"));
}
