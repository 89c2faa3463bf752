using EmailRelay.Cli.CommandLine;
using EmailRelay.Pop3;
using EmailRelay.Protocol.Pop3;

namespace EmailRelay.Cli.Hosting;

/// <summary>Maps the POP options (<c>--pop-*</c>, <c>--idle-timeout</c>, <c>--server-tls*</c>, <c>--server-auth-config</c>) to <see cref="Pop3ServerOptions"/>.</summary>
internal static class PopMapping
{
    /// <summary>The POP3 server's options.</summary>
    public static Pop3ServerOptions Options(UnitOptions options, string domain)
    {
        ArgumentNullException.ThrowIfNull(options);
        var limits = UnitOptionsMapper.SmtpOptions(options, domain).Limits;
        return new Pop3ServerOptions
        {
            Policy = Pop3ServerPolicy.Default with
            {
                TlsOffered = options.IsSet("server-tls"),
                TlsRequired = options.IsSet("server-tls-required"),
            },
            Limits = limits,
            Unit = options.Name,
            Domain = domain,
            ByName = options.IsSet("pop-by-name"),
            NoDelete = options.IsSet("pop-no-delete"),
            AuthConfig = options.Get("server-auth-config") ?? "",
        };
    }

    /// <summary><c>--pop-auth</c> resolved against the startup directory (<c>pam:</c> kept as is); empty if not given.</summary>
    public static string AuthPath(UnitOptions options, string startDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        var spec = options.Get("pop-auth") ?? "";
        return spec.Length == 0 || spec.StartsWith("pam:", StringComparison.Ordinal) || spec == "/pam" ? spec : UnitOptionsMapper.ResolvePath(spec, startDirectory);
    }
}
