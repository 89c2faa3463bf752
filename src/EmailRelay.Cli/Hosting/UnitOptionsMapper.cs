using EmailRelay.Cli.CommandLine;
using EmailRelay.Hosting;
using EmailRelay.Net;
using EmailRelay.Protocol.Smtp;
using EmailRelay.Protocol.Smtp.Server;
using EmailRelay.Smtp.Server;

namespace EmailRelay.Cli.Hosting;

/// <summary>
/// Maps parsed <see cref="UnitOptions"/> to <see cref="RelayUnit"/> records (the one place that does), resolving
/// relative paths against the startup directory (the daemon later changes to <c>/</c>) and checking the spool
/// directory. Errors throw <see cref="ConfigurationException"/>; non-fatal findings are added to the warnings list.
/// </summary>
internal static class UnitOptionsMapper
{
    /// <summary>Maps every unit of the command line; <paramref name="activated"/> are the sockets systemd passed (<see cref="Daemon.SocketActivation"/>).</summary>
    public static IReadOnlyList<RelayUnit> Map(RelayCommandLine commandLine, string startDirectory, string defaultDomain, ICollection<string> warnings, IReadOnlyList<Daemon.SocketActivation.Socket>? activated = null)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        return [.. commandLine.Units.Select(u => MapUnit(u, startDirectory, defaultDomain, warnings, activated))];
    }

    /// <summary>Maps one unit.</summary>
    public static RelayUnit MapUnit(UnitOptions options, string startDirectory, string defaultDomain, ICollection<string> warnings, IReadOnlyList<Daemon.SocketActivation.Socket>? activated = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(warnings);
        var spool = ResolvePath(options.Get("spool-dir") ?? OptionTable.DefaultSpoolDirectory, startDirectory);
        CheckSpoolDirectory(spool, warnings);
        var domain = options.Get("domain") ?? defaultDomain;
        if (domain.Length == 0)
        {
            throw new ConfigurationException("invalid empty domain");
        }

        IReadOnlyList<ListenEndpoint> listeners;
        try
        {
            IReadOnlyList<string> interfaces = options.Get("interface") is { } list ? [list] : [];
            interfaces = Daemon.SocketActivation.Interfaces(options.Name, interfaces, activated ?? []);
            listeners = InterfaceList.Resolve(interfaces, Ports(options));
        }
        catch (FormatException ex)
        {
            throw new ConfigurationException(ex.Message, ex);
        }

        return new RelayUnit(options.Name, spool, domain, options.IsSet("remote-clients"), listeners)
        {
            Smtp = SmtpOptions(options, domain),
            Filter = options.Get("filter") ?? "",
            AddressVerifier = options.Get("address-verifier") ?? "",
            AdminTerminate = options.IsSet("admin-terminate"),
            Forwarding = ForwardingOptionsMapper.Map(options, domain, startDirectory),
            FilterTimeout = options.GetSeconds("filter-timeout", TimeSpan.FromSeconds(60)),
            DeliveryDirectory = options.Get("delivery-dir") ?? "",
            Pop = PopMapping.Options(options, domain),
            PopAuth = PopMapping.AuthPath(options, startDirectory),
            ServerAuth = options.Get("server-auth") is { } auth && !EmailRelay.Auth.SecretStores.IsPam(auth) ? ResolvePath(auth, startDirectory) : options.Get("server-auth") ?? "",
            ServerAuthConfig = options.Get("server-auth-config") ?? "",
            ServerTls = ServerTlsSettings(options, startDirectory),
            ConnectionTimeout = options.GetSeconds("connection-timeout", TimeSpan.FromSeconds(40)),
            Dnsbl = options.Get("dnsbl") ?? "",
            ProxyProtocol = ProxyProtocol(options),
        };
    }

    /// <summary>The PROXY protocol policies from <c>--server-proxy-protocol</c> and <c>--pop-proxy-protocol</c>, timed by <c>--prompt-timeout</c>.</summary>
    public static IReadOnlyDictionary<ListenService, ProxyProtocolPolicy> ProxyProtocol(UnitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var timeout = options.GetSeconds("prompt-timeout", TimeSpan.FromSeconds(20));
        var result = new Dictionary<ListenService, ProxyProtocolPolicy>();
        foreach (var (service, name) in new[] { (ListenService.Smtp, "server-proxy-protocol"), (ListenService.Pop, "pop-proxy-protocol") })
        {
            if (options.Get(name) is { } list)
            {
                try
                {
                    result[service] = new ProxyProtocolPolicy(ProxyProtocolPolicy.ParseTrusted(list), timeout);
                }
                catch (FormatException ex)
                {
                    throw new ConfigurationException("--" + name + ": " + ex.Message, ex);
                }
            }
        }

        return result;
    }

    /// <summary>The server TLS settings from <c>--server-tls*</c> and <c>--tls-config</c>, or null without TLS.</summary>
    public static EmailRelay.Tls.TlsServerSettings? ServerTlsSettings(UnitOptions options, string startDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.IsSet("server-tls") && !options.IsSet("server-tls-connection"))
        {
            return null;
        }

        var certificates = options.GetList("server-tls-certificate");
        if (certificates.Count == 0)
        {
            throw new ConfigurationException("--server-tls requires --server-tls-certificate");
        }

        try
        {
            var verify = options.Get("server-tls-verify");
            return new EmailRelay.Tls.TlsServerSettings
            {
                Certificate = ResolvePath(certificates[0], startDirectory),
                SecondCertificate = certificates.Count > 1 ? ResolvePath(certificates[1], startDirectory) : null,
                Verify = verify is null or "<default>" or "<none>" ? verify : ResolvePath(verify, startDirectory),
                Config = EmailRelay.Tls.TlsConfig.Parse(options.Get("tls-config")),
            };
        }
        catch (EmailRelay.Tls.TlsConfigurationException ex)
        {
            throw new ConfigurationException(ex.Message, ex);
        }
    }

    /// <summary>The SMTP server's policy and limits from <c>--anonymous</c>, <c>--size</c>, <c>--idle-timeout</c> and <c>--server-smtp-config</c>.</summary>
    public static SmtpServerOptions SmtpOptions(UnitOptions options, string domain)
    {
        ArgumentNullException.ThrowIfNull(options);
        var anonymous = options.IsSet("anonymous") ? options.GetList("anonymous") : null;
        bool Anonymous(string scope) => anonymous is not null && (anonymous.Count == 0 || anonymous.Contains(scope, StringComparer.OrdinalIgnoreCase));
        var switches = options.GetSwitches("server-smtp-config");
        var bareNewlines = switches.IsOn("bare-newline-reject", false) ? BareNewlinePolicy.Reject
            : switches.IsOn("bare-newline-keep", false) ? BareNewlinePolicy.Keep
            : BareNewlinePolicy.Normalise;
        var limits = RelayLimits.Default with
        {
            IdleTimeout = options.GetSeconds("idle-timeout", RelayLimits.Default.IdleTimeout),
        };
        var policy = SmtpServerPolicy.Default with
        {
            Domain = domain,
            AnonymousVrfy = Anonymous("vrfy"),
            AnonymousServer = Anonymous("server"),
            AnonymousContent = Anonymous("content"),
            MaxMessageSize = options.GetInt("size", 0),
            Pipelining = switches.IsOn("pipelining", true),
            Chunking = switches.IsOn("chunking", false),
            SmtpUtf8 = switches.IsOn("smtputf8", false),
            SmtpUtf8Strict = switches.IsOn("smtputf8strict", false),
            StrictParsing = switches.IsOn("strictparsing", true),
            ALabels = switches.IsOn("alabels", true),
            BareNewlines = bareNewlines,
            ClientErrorLimit = limits.ClientErrorLimit,
        };
        policy = policy with { TlsOffered = options.IsSet("server-tls"), TlsRequired = options.IsSet("server-tls-required") };
        return new SmtpServerOptions { Policy = policy, Limits = limits, Unit = options.Name, ImplicitTls = options.IsSet("server-tls-connection") };
    }

    /// <summary>The enabled services and their ports: SMTP unless <c>--no-smtp</c>/<c>--dont-serve</c>, POP with <c>--pop</c>, admin with <c>--admin</c>.</summary>
    public static Dictionary<ListenService, int> Ports(UnitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var ports = new Dictionary<ListenService, int>();
        if (options.IsSet("dont-serve"))
        {
            return ports;
        }

        if (!options.IsSet("no-smtp"))
        {
            ports[ListenService.Smtp] = options.GetInt("port", 25);
        }

        if (options.IsSet("pop"))
        {
            ports[ListenService.Pop] = options.GetInt("pop-port", 110);
        }

        if (options.IsSet("admin"))
        {
            ports[ListenService.Admin] = options.GetInt("admin", 0);
        }

        return ports;
    }

    /// <summary>True if the unit forwards at all (so having no listener is not "nothing to do").</summary>
    public static bool Forwards(UnitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.IsSet("forward") || options.IsSet("forward-to") || options.IsSet("as-client")
            || options.IsSet("as-proxy") || options.IsSet("poll") || options.IsSet("forward-on-disconnect");
    }

    /// <summary>An absolute path: <paramref name="path"/> resolved against <paramref name="startDirectory"/>.</summary>
    public static string ResolvePath(string path, string startDirectory) => Path.GetFullPath(path, startDirectory);

    private static void CheckSpoolDirectory(string spool, ICollection<string> warnings)
    {
        if (!Directory.Exists(spool))
        {
            throw new ConfigurationException("invalid spool directory: [" + spool + "]: no such directory");
        }

        var probe = Path.Combine(spool, ".emailrelay-write-test." + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            using (File.Create(probe, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            warnings.Add("spool directory not writable: [" + spool + "]");
        }
    }
}
