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

            if (client.Secrets is not null && client.Tokens is null)
            {
                // The secrets file may gain oauth-* lines when it is reloaded, so the cache is there whenever it is.
                client = client with { Tokens = NewTokens(client, loggerFactory, timeProvider) };
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

    /// <summary>The OAuth token cache, over an HTTP client bounded by <c>--connection-timeout</c> and <c>--response-timeout</c> (and the proxy settings of the environment).</summary>
    private static Auth.OAuth.OAuthTokens NewTokens(SmtpClientOptions client, ILoggerFactory loggerFactory, TimeProvider timeProvider)
    {
        var handler = new System.Net.Http.SocketsHttpHandler
        {
            ConnectTimeout = client.ConnectionTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AllowAutoRedirect = false,
        };
        var http = new System.Net.Http.HttpClient(handler) { Timeout = client.ConnectionTimeout + client.ResponseTimeout };
        var source = new Auth.OAuth.OAuthTokenSource(http, timeProvider, TimeSpan.FromSeconds(60));
        return new Auth.OAuth.OAuthTokens(source, timeProvider, loggerFactory.CreateLogger("EmailRelay.Auth"));
    }
}
