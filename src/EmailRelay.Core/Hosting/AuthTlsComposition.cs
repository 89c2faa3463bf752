using EmailRelay.Auth;
using EmailRelay.Protocol.Sasl;
using EmailRelay.Smtp.Server;
using EmailRelay.Tls;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Hosting;

/// <summary>Wires <c>--server-auth</c> and <c>--server-tls*</c> into the SMTP server's services.</summary>
internal static class AuthTlsComposition
{
    /// <summary>Adds SASL and the TLS upgrader to <paramref name="services"/>; configuration errors throw <see cref="ConfigurationException"/>.</summary>
    public static SmtpServerServices Apply(RelayUnit unit, SmtpServerServices services, ILoggerFactory loggerFactory, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(unit);
        ArgumentNullException.ThrowIfNull(services);
        if (unit.ServerAuth.Length > 0)
        {
            services = services with { Sasl = CreateSasl(unit.ServerAuth, unit.ServerAuthConfig, unit.Domain, loggerFactory, timeProvider) };
        }

        if (unit.ServerTls is { } tlsSettings)
        {
            TlsServer tls;
            try
            {
                tls = new TlsServer(tlsSettings, unit.ConnectionTimeout, timeProvider);
            }
            catch (TlsConfigurationException ex)
            {
                throw new ConfigurationException(ex.Message, ex);
            }

            services = services with
            {
                TlsUpgrader = async (stream, ct) => await tls.AuthenticateAsync(stream, ct).ConfigureAwait(false),
                TlsCipher = TlsServer.CipherName,
                TlsClientCertificate = TlsServer.ClientCertificatePem,
            };
        }

        return services;
    }

    /// <summary>Opens the server secrets and builds the mechanisms (shared with POP).</summary>
    public static SaslServerMechanisms CreateSasl(string spec, string config, string domain, ILoggerFactory loggerFactory, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        try
        {
            var secrets = SecretStores.OpenServer(spec, timeProvider, loggerFactory.CreateLogger("EmailRelay.Auth"));
            return new SaslServerMechanisms(secrets, SaslConfig.Parse(config), new Random(), timeProvider, domain);
        }
        catch (SecretsFileException ex)
        {
            throw new ConfigurationException(ex.Message, ex);
        }
    }
}
