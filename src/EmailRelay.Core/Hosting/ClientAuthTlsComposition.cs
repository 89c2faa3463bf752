using EmailRelay.Auth;
using EmailRelay.Smtp.Client;
using EmailRelay.Tls;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Hosting;

/// <summary>Wires <c>--client-auth</c> and <c>--client-tls*</c> into the forwarding client's options: opens the secrets and loads the TLS material once, at startup.</summary>
internal static class ClientAuthTlsComposition
{
    /// <summary>Resolves <see cref="SmtpClientOptions.Secrets"/> and <see cref="SmtpClientOptions.Tls"/>; configuration errors throw <see cref="ConfigurationException"/>.</summary>
    /// <param name="options">The unit's forwarding settings, or null.</param>
    /// <param name="loggerFactory">Loggers.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <returns>The settings with the loaded objects, or null.</returns>
    public static ForwardingOptions? Apply(ForwardingOptions? options, ILoggerFactory loggerFactory, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        if (options is null)
        {
            return null;
        }

        var client = options.Client;
        try
        {
            if (client.ClientAuth.Length > 0 && client.Secrets is null)
            {
                client = client with { Secrets = SecretStores.OpenClient(client.ClientAuth, timeProvider, loggerFactory.CreateLogger("EmailRelay.Auth")) };
            }

            if (client.TlsSettings is { } tls && client.Tls is null)
            {
                client = client with { Tls = new TlsClient(tls, client.ConnectionTimeout, timeProvider) };
            }
        }
        catch (SecretsFileException ex)
        {
            throw new ConfigurationException(ex.Message, ex);
        }
        catch (TlsConfigurationException ex)
        {
            throw new ConfigurationException(ex.Message, ex);
        }

        return options with { Client = client };
    }
}
