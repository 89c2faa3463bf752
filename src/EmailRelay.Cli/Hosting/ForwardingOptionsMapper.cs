using EmailRelay.Cli.CommandLine;
using EmailRelay.Hosting;
using EmailRelay.Protocol.Sasl;
using EmailRelay.Protocol.Smtp.Client;
using EmailRelay.Smtp.Client;
using EmailRelay.Tls;

namespace EmailRelay.Cli.Hosting;

/// <summary>Maps a unit's forwarding options (reference §a, §h, §i; differences 13) to <see cref="ForwardingOptions"/>.</summary>
internal static class ForwardingOptionsMapper
{
    /// <summary>Maps the options; null when the unit does not forward.</summary>
    /// <param name="options">The unit's options (mode shorthands already expanded).</param>
    /// <param name="domain">The unit's domain (for the EHLO name rule).</param>
    /// <param name="startDirectory">Where relative paths (<c>--client-auth</c>, certificates, CA lists) are resolved from; null: the current directory.</param>
    /// <returns>The settings, or null.</returns>
    public static ForwardingOptions? Map(UnitOptions options, string domain, string? startDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!UnitOptionsMapper.Forwards(options) && !options.IsSet("immediate"))
        {
            return null;
        }

        IReadOnlyList<ForwardTarget> targets = [];
        if (options.Get("forward-to") is { Length: > 0 } text && !ForwardTarget.TryParseList(text, out targets))
        {
            throw new ConfigurationException("invalid forward-to address: [" + text + "]");
        }

        var switches = options.GetSwitches("client-smtp-config");
        var policy = SmtpClientPolicy.Default with
        {
            Pipelining = switches.IsOn("pipelining", false),
            SmtpUtf8Strict = switches.IsOn("smtputf8strict", true),
            EightBitStrict = switches.IsOn("eightbitstrict", false),
            BinaryMimeStrict = switches.IsOn("binarymimestrict", true),
            ForwardToSome = options.IsSet("forward-to-some"),
            StartTls = options.IsSet("client-tls"),
            ImplicitTls = options.IsSet("client-tls-connection"),
            TlsRequired = options.IsSet("client-tls-required"),
            AuthConfig = SaslConfig.Parse(options.Get("client-auth-config")),
            AnonymousAuth = AnonymousClient(options),
        };
        startDirectory ??= Directory.GetCurrentDirectory();
        var clientAuth = options.Get("client-auth") ?? "";
        if (clientAuth.Length > 0 && !clientAuth.StartsWith("plain:", StringComparison.OrdinalIgnoreCase))
        {
            clientAuth = UnitOptionsMapper.ResolvePath(clientAuth, startDirectory);
        }

        var client = new SmtpClientOptions
        {
            Target = targets.Count > 0 ? targets[0] : null,
            Failover = targets.Count > 1 ? targets.Skip(1).ToArray() : [],
            Domain = domain,
            Policy = policy,
            ConnectionTimeout = options.GetSeconds("connection-timeout", TimeSpan.FromSeconds(40)),
            PromptTimeout = options.GetSeconds("prompt-timeout", TimeSpan.FromSeconds(20)),
            ResponseTimeout = options.GetSeconds("response-timeout", TimeSpan.FromSeconds(300)),
            ClientInterface = options.Get("client-interface"),
            Linger = switches.IsOn("linger", true),
            ClientAuth = clientAuth,
            TlsSettings = ClientTlsSettings(options, startDirectory),
        };
        var poll = options.GetInt("poll", 0);
        return new ForwardingOptions
        {
            Client = client,
            ClientFilter = options.Get("client-filter") ?? "",
            ForwardAtStartup = options.IsSet("forward"),
            ForwardOnDisconnect = options.IsSet("forward-on-disconnect"),
            Poll = poll > 0 ? TimeSpan.FromSeconds(poll) : null,
            RetryLimit = options.GetInt("retry-limit", 5),
            Connections = Math.Max(1, options.GetInt("client-connections", 1)),
            ExitAfterRun = options.IsSet("dont-serve") && options.IsSet("forward"),
            AsClient = options.IsSet("as-client"),
            Immediate = options.IsSet("immediate"),
            RouteTables = RouteTables(options, startDirectory),
            RateLimitState = Path.Combine(UnitOptionsMapper.ResolvePath(options.Get("spool-dir") ?? OptionTable.DefaultSpoolDirectory, startDirectory), ".emailrelay-rate-limits"),
        };
    }

    /// <summary>The <c>route:</c> tables named by <c>--filter</c> and <c>--client-filter</c>, as absolute paths (their rules' rate limits apply when forwarding).</summary>
    private static string[] RouteTables(UnitOptions options, string startDirectory)
    {
        var tables = new List<string>();
        foreach (var text in options.GetList("filter").Concat(options.GetList("client-filter")))
        {
            if (EmailRelay.Protocol.Filters.FilterSpecParser.TryParse(text, out var chain, out _))
            {
                tables.AddRange(chain.Where(static s => s.Kind == EmailRelay.Protocol.Filters.FilterKind.Route).Select(s => UnitOptionsMapper.ResolvePath(s.Value, startDirectory)));
            }
        }

        return [.. tables.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The client TLS settings from <c>--client-tls*</c> and <c>--tls-config</c>, or null without client TLS.</summary>
    /// <param name="options">The unit's options.</param>
    /// <param name="startDirectory">Where relative paths are resolved from.</param>
    /// <returns>The settings, or null.</returns>
    public static TlsClientSettings? ClientTlsSettings(UnitOptions options, string startDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.IsSet("client-tls") && !options.IsSet("client-tls-connection"))
        {
            return null;
        }

        var certificates = options.GetList("client-tls-certificate");
        var verify = options.Get("client-tls-verify");
        try
        {
            return new TlsClientSettings
            {
                Certificate = certificates.Count > 0 ? UnitOptionsMapper.ResolvePath(certificates[0], startDirectory) : null,
                SecondCertificate = certificates.Count > 1 ? UnitOptionsMapper.ResolvePath(certificates[1], startDirectory) : null,
                Verify = verify is null or "<none>" ? null : verify == "<default>" ? verify : UnitOptionsMapper.ResolvePath(verify, startDirectory),
                VerifyName = options.Get("client-tls-verify-name"),
                ServerName = options.Get("client-tls-server-name"),
                Config = TlsConfig.Parse(options.Get("tls-config")),
            };
        }
        catch (TlsConfigurationException ex)
        {
            throw new ConfigurationException(ex.Message, ex);
        }
    }

    private static bool AnonymousClient(UnitOptions options)
    {
        if (!options.IsSet("anonymous"))
        {
            return false;
        }

        var scopes = options.GetList("anonymous");
        return scopes.Count == 0 || scopes.Contains("client", StringComparer.OrdinalIgnoreCase);
    }
}
