using System.Collections.Frozen;

namespace EmailRelay.Cli.CommandLine;

/// <summary>
/// The declarative table of every <c>emailrelay</c> option (reference §a "Complete option table",
/// plus <c>--retry-limit</c> from differences 13 and <c>--client-connections</c> for forwarding speed). The parser, the checks and <c>--help</c> all read it.
/// </summary>
internal static class OptionTable
{
    /// <summary>The spool directory used when <c>--spool-dir</c> is not given (<see cref="PlatformDefaults"/>).</summary>
    public static string DefaultSpoolDirectory => PlatformDefaults.Current.SpoolDirectory;

    private const ArgumentKind N = ArgumentKind.None;
    private const ArgumentKind R = ArgumentKind.Required;
    private const ArgumentKind O = ArgumentKind.Optional;
    private const OptionMultiplicity One = OptionMultiplicity.Single;
    private const OptionMultiplicity Many = OptionMultiplicity.Many;
    private const OptionGroups Basic = OptionGroups.Basic;
    private const OptionGroups Logging = OptionGroups.Logging;
    private const OptionGroups Server = OptionGroups.Server;
    private const OptionGroups Client = OptionGroups.Client;
    private const OptionGroups Filter = OptionGroups.Filter;
    private const OptionGroups Pop = OptionGroups.Pop;
    private const OptionGroups Admin = OptionGroups.Admin;
    private const OptionGroups Auth = OptionGroups.Auth;
    private const OptionGroups Tls = OptionGroups.Tls;
    private const OptionGroups Process = OptionGroups.Process;
    private const OptionGroups Hidden = OptionGroups.Hidden;

    /// <summary>Every option, in E-MailRelay's order.</summary>
    public static IReadOnlyList<OptionSpec> All { get; } =
    [
        new("as-client", 'q', R, One, Basic | Client, "host:port", null, "runs as a client: forwards the whole spool to <host:port> in the foreground, then exits (--log --no-syslog --no-daemon --dont-serve --forward --forward-to)"),
        new("as-proxy", 'y', R, One, Basic, "host:port", null, "runs as a proxy daemon: stores each message and forwards it to <host:port> when the client disconnects (--log --close-stderr --forward-on-disconnect --forward-to)"),
        new("as-server", 'd', N, One, Basic | Server, null, null, "runs as a storing server in the background (--log --close-stderr)"),
        new("spool-dir", 's', R, One, Basic, "dir", DefaultSpoolDirectory, "the spool directory; it must exist") { IsPath = true },
        new("help", 'h', N, One, Basic, null, null, "shows this help; with --verbose lists every option") { IsProcessWide = true },
        new("version", 'V', N, One, Basic, null, null, "shows the version; with --verbose also the features and the TLS library") { IsProcessWide = true },
        new("verbose", 'v', N, OptionMultiplicity.Counted, Logging, null, null, "more log output (give it twice for even more); needs --log, --help or an --as-* option") { IsProcessWide = true },
        new("log", 'l', N, One, Logging, null, null, "logs to stderr and syslog") { IsProcessWide = true },
        new("debug", 'g', N, One, Logging, null, null, "debug-level logging; needs --log") { IsProcessWide = true },
        new("log-address", null, N, One, Logging, null, null, "adds the peer address to log lines (same as --log-format=address)") { IsProcessWide = true },
        new("log-file", 'N', R, One, Logging, "file", null, "appends the stderr log to <file>; %d becomes YYYYMMDD and %h becomes HH") { IsPath = true, IsProcessWide = true },
        new("log-format", null, R, Many, Logging, "list", null, "log line details: any of time, unit, address, port, msgid") { IsProcessWide = true },
        new("log-time", 'L', N, One, Logging, null, null, "adds a timestamp to log lines (same as --log-format=time)") { IsProcessWide = true },
        new("no-syslog", 'n', N, One, Logging, null, null, "does not log to syslog") { IsProcessWide = true },
        new("syslog", 'k', O, One, Logging, "facility", "mail", "forces syslog on; the facility is mail, user, daemon or local0..local7") { IsProcessWide = true },
        new("close-stderr", 'e', N, One, Logging | Process, null, null, "closes stderr soon after startup (a log file is not affected)") { IsProcessWide = true },
        new("port", 'p', R, One, Server, "port", "25", "the SMTP listening port"),
        new("remote-clients", 'r', N, One, Server, null, null, "accepts connections from non-local addresses"),
        new("address-verifier", null, R, One, Server, "program", "accept all", "checks each recipient with a program, net: server or built-in") { IsPath = true },
        new("anonymous", 'A', O, One, Server, "scope", null, "hides identity: any of vrfy, server, content, client (all when no value)"),
        new("delivery-dir", null, R, One, Server, "dir", "the spool directory", "base directory for the deliver: filter's mailboxes") { IsPath = true },
        new("dnsbl", null, R, Many, Server, "config", null, "rejects connections from addresses listed by these DNSBL servers; needs --remote-clients"),
        new("domain", 'D', R, One, Server, "fqdn", "the canonical name of this host", "the domain name used in the greeting, EHLO, Received lines and challenges"),
        new("filter", 'z', R, Many, Server | Filter, "program", "none", "runs a filter on each stored message; repeat it or use commas for a chain; dkim:d=<domain>;s=<selector>;key=<file>[;a=rsa-sha256|ed25519-sha256][;h=<field>:..][;c=relaxed/relaxed|simple/simple|..][;from=<domain>:..] signs mail from <domain> (see emailrelay-dkim-keygen)") { IsPath = true },
        new("filter-timeout", 'W', R, One, Server | Filter, "seconds", "60", "time limit for filters and address verifiers"),
        new("interface", 'I', R, Many, Server, "list", "all IPv4 and IPv6 addresses", "the listening addresses or interfaces"),
        new("prompt-timeout", 'w', R, One, Server, "seconds", "20", "how long the client waits for the server's greeting before sending EHLO"),
        new("server-proxy-protocol", null, R, One, Server, "address-list", null, "expects a PROXY protocol (v1 or v2) header on every SMTP connection, from these balancer addresses or networks only (e.g. 10.0.0.5,192.168.1.0/24); the header's client address is then the peer for --remote-clients, secrets, DNSBL, logs, Received and filters; other peers, bad headers and headers not complete within --prompt-timeout are closed"),
        new("server-smtp-config", 'Z', R, Many, Server, "list", null, "SMTP server switches, e.g. +chunking,-pipelining"),
        new("size", 'M', R, One, Server, "bytes", "0", "the largest message accepted; 0 means no limit"),
        new("client-smtp-config", 'c', R, Many, Client, "list", null, "SMTP client switches, e.g. +pipelining"),
        new("forward", 'f', N, One, Client, null, null, "forwards the spool at startup; needs --forward-to"),
        new("forward-on-disconnect", '1', N, One, Client, null, null, "forwards after each SMTP client disconnects; needs --forward-to"),
        new("forward-to", 'o', R, One, Client, "host:port", null, "the next-hop server (host:port, a unix socket path, or host:port@socks-host:port); a comma-separated list (host1:25,host2:25) names failover hosts, each tried in turn when the one before refuses the connection or answers 4xx at the greeting or EHLO"),
        new("poll", 'O', R, One, Client, "seconds", null, "forwards every <seconds> seconds (more than zero)"),
        new("client-filter", 'Y', R, Many, Client | Filter, "program", "none", "runs a filter on each message just before it is forwarded; needs --forward-to; dkim:... signs there as with --filter") { IsPath = true },
        new("client-interface", '6', R, One, Client, "ip", "chosen by the system", "the local address for outgoing connections"),
        new("connection-timeout", 'U', R, One, Client, "seconds", "40", "time limit for connecting and for TLS handshakes"),
        new("response-timeout", 'T', R, One, Client, "seconds", "300", "how long the client waits for each SMTP reply"),
        new("idle-timeout", null, R, One, Client, "seconds", "300", "closes SMTP and POP connections that are idle this long"),
        new("forward-to-all", null, N, One, Client, null, "on", "forwards a message only if every recipient is accepted"),
        new("forward-to-some", null, N, One, Client, null, null, "forwards a message even if some recipients are rejected"),
        new("immediate", 'm', N, One, Client | Server, null, null, "forwards each message inside the SMTP transaction, before replying to DATA"),
        new("retry-limit", null, R, One, Client, "count", "5", "how many transient failures a message may have before it fails for good (0: fail at once)"),
        new("client-connections", null, R, One, Client, "count", "1", "how many connections to the next hop a forwarding run may use at once (1 sends one message at a time, in spool order)"),
        new("pop", 'B', N, One, Pop, null, null, "runs a POP3 server; needs --pop-auth"),
        new("pop-port", 'E', R, One, Pop, "port", "110", "the POP3 listening port"),
        new("pop-proxy-protocol", null, R, One, Pop, "address-list", null, "expects a PROXY protocol (v1 or v2) header on every POP connection, from these balancer addresses or networks only (as --server-proxy-protocol)"),
        new("pop-auth", 'F', R, One, Auth | Pop, "file", null, "the POP3 secrets file (server lines), or pam:") { IsPath = true },
        new("pop-no-delete", 'G', N, One, Pop, null, null, "POP DELE pretends to delete"),
        new("pop-by-name", 'J', N, One, Pop, null, null, "each POP user sees the spool subdirectory named after them"),
        new("admin", 'a', R, One, Admin, "port", null, "runs the admin interface on <port>"),
        new("admin-terminate", 'Q', N, One, Admin | Process, null, null, "lets the admin terminate command stop the process"),
        new("http", null, R, One, Admin, "[address:]port", null, "runs the web console on <port>: dashboard pages, a JSON API under /api/v1 (OpenAPI at /api/v1/openapi.json), /metrics for Prometheus, /healthz and /readyz; on loopback only unless --remote-clients (then on <address>, the --interface http=<address> entries, or all addresses); HTTPS with --server-tls-certificate when --server-tls or --server-tls-connection is given; needs --http-auth or --http-no-auth") { IsProcessWide = true },
        new("http-auth", null, R, One, Admin | Auth, "file", null, "the web console's accounts: server lines of a secrets file (plain or emailrelay-passwd hashed passwords) with a fifth field admin or readonly (the default); the browser signs in with a form, scripts and Prometheus may read with HTTP Basic; /healthz and /readyz need no sign-in") { IsPath = true, IsProcessWide = true },
        new("http-no-auth", null, N, One, Admin, null, null, "runs the web console without signing in, everyone as admin; only on a loopback-only --http listener") { IsProcessWide = true },
        new("client-auth", 'C', R, One, Auth | Client, "file", null, "credentials for the next hop: a secrets file or plain:<b64-id>:<b64-pw>") { IsPath = true },
        new("client-auth-config", null, R, One, Auth | Client, "config", null, "client mechanism lists m:..;x:..;a:..;d:..; needs --client-auth"),
        new("server-auth", 'S', R, One, Auth | Server, "file", null, "makes SMTP clients authenticate: a secrets file or pam:") { IsPath = true },
        new("server-auth-config", null, R, One, Auth | Server, "config", null, "server mechanism lists m:..;x:..;a:..;d:..; needs --server-auth"),
        new("client-tls", 'j', N, One, Tls | Client, null, null, "uses STARTTLS when the next hop offers it"),
        new("client-tls-connection", 'b', N, One, Tls | Client, null, null, "uses implicit TLS (SMTPS) to the next hop"),
        new("client-tls-required", null, N, One, Tls | Client, null, null, "refuses to forward without TLS; needs --client-tls or --client-tls-connection"),
        new("client-tls-certificate", null, R, Many, Tls | Client, "pem-file", null, "the client's key and certificate (one file, or key then certificate)") { IsPath = true },
        new("client-tls-verify", null, R, One, Tls | Client, "ca-list", null, "verifies the server's certificate against these CAs (<default> or <none> allowed)") { IsPath = true },
        new("client-tls-verify-name", null, R, One, Tls | Client, "cname", null, "the name the server's certificate must carry; needs --client-tls-verify"),
        new("client-tls-server-name", null, R, One, Tls | Client, "hostname", null, "the SNI name sent to the next hop"),
        new("server-tls", 'K', N, One, Tls | Server, null, null, "offers STARTTLS (and POP STLS); needs --server-tls-certificate"),
        new("server-tls-connection", null, N, One, Tls | Server, null, null, "uses implicit TLS on the SMTP port (SMTPS)"),
        new("server-tls-required", null, N, One, Tls | Server, null, null, "refuses MAIL, VRFY and AUTH before TLS; needs --server-tls or --server-tls-connection"),
        new("server-tls-certificate", null, R, Many, Tls | Server, "pem-file", null, "the server's key and certificate (one file, or key then certificate)") { IsPath = true },
        new("server-tls-verify", null, R, One, Tls | Server, "ca-list", null, "verifies client certificates against these CAs (<default> or <none> allowed)") { IsPath = true },
        new("tls-config", '9', R, Many, Tls, "options", null, "low-level TLS settings"),
        new("dont-serve", 'x', N, One, Process, null, null, "runs no SMTP, POP or admin listener"),
        new("no-smtp", 'X', N, One, Process, null, null, "runs no SMTP listener"),
        new("no-daemon", 't', N, One, Process, null, null, "stays in the foreground") { IsProcessWide = true },
        new("pid-file", 'i', R, OptionMultiplicity.FirstWins, Process, "path", null, "writes the process id to <path> once running") { IsPath = true, IsProcessWide = true },
        new("drain-timeout", null, R, One, Process, "seconds", "20", "on SIGTERM or the admin terminate command: stops accepting, gives idle SMTP and POP sessions 421, lets a message being received finish for this long, then ends the rest with 421; forwarding stops between messages; a second SIGTERM ends it at once (0: at once)") { IsProcessWide = true },
        new("user", 'u', R, One, Process, "username", "daemon", "the unprivileged user to switch to when started as root (root: do not switch)") { IsProcessWide = true, IsUnixOnly = true },
        new("localedir", null, R, One, Process, "dir", null, "the directory holding message catalogues") { IsPath = true, IsProcessWide = true, IsUnixOnly = true },
        new("hidden", 'H', N, One, Process | Hidden, null, null, "Windows only: no window and no message boxes") { IsProcessWide = true, IsWindowsOnly = true },
        new("show", null, R, One, Process | Hidden, "style", "tray", "Windows only: the user interface style") { IsProcessWide = true, IsWindowsOnly = true },
        new("test", null, R, One, Hidden, "x", null, "internal test hooks") { IsProcessWide = true },
    ];

    private static readonly FrozenDictionary<string, OptionSpec> s_byName =
        All.ToFrozenDictionary(o => o.Name, StringComparer.Ordinal);

    private static readonly FrozenDictionary<char, OptionSpec> s_byShortName =
        All.Where(o => o.ShortName is not null).ToFrozenDictionary(o => o.ShortName!.Value); // filtered just above

    /// <summary>Finds an option by long name (without dashes), or <c>null</c>.</summary>
    public static OptionSpec? Find(string name) => s_byName.GetValueOrDefault(name);

    /// <summary>Finds an option by its short letter, or <c>null</c>.</summary>
    public static OptionSpec? Find(char shortName) => s_byShortName.GetValueOrDefault(shortName);

    /// <summary>Finds an option by long name, throwing for a name that is not in the table (a caller bug).</summary>
    public static OptionSpec Get(string name) =>
        Find(name) ?? throw new ArgumentException($"no such option: {name}", nameof(name));
}
