using System.Globalization;

namespace EmailRelay.Cli.CommandLine;

/// <summary>
/// The startup consistency and value checks (reference §a "Startup consistency checks"): each failure is a
/// <see cref="CommandLineException"/>; softer problems are added to the warnings.
/// </summary>
internal static class OptionChecks
{
    private static readonly string[] s_portOptions = ["port", "pop-port", "admin"];
    private static readonly string[] s_numberOptions =
        ["filter-timeout", "prompt-timeout", "connection-timeout", "response-timeout", "idle-timeout", "poll", "size", "retry-limit", "client-connections", "drain-timeout"];

    private static readonly string[] s_facilities =
        ["mail", "user", "daemon", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"];

    private static readonly string[] s_logFormatItems = ["time", "unit", "address", "port", "msgid"];
    private static readonly string[] s_anonymousScopes = ["vrfy", "server", "content", "client"];

    /// <summary>Checks one unit; process-wide options are checked only for the first unit.</summary>
    public static void Check(UnitOptions unit, bool isFirstUnit, List<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(unit);
        ArgumentNullException.ThrowIfNull(warnings);
        var c = new Checker(unit, warnings);
        c.CheckValues();
        c.CheckCombinations();
        if (isFirstUnit)
        {
            c.CheckProcessWide();
        }
    }

    private sealed class Checker(UnitOptions unit, List<string> warnings)
    {
        private string D(string name) => ParseState.Display(unit.Name, name);

        private bool Has(string name) => unit.IsSet(name);

        private static CommandLineException Error(string text) => new(text);

        public void CheckValues()
        {
            foreach (var name in s_portOptions)
            {
                if (unit.Get(name) is { } port && !(TryNumber(port, out var n) && n <= 65535))
                {
                    throw Error($"invalid port number for {D(name)}: [{port}]");
                }
            }

            foreach (var name in s_numberOptions)
            {
                if (unit.Get(name) is { } text && !TryNumber(text, out _))
                {
                    throw Error($"invalid value for {D(name)}: [{text}]: expecting a whole number of zero or more");
                }
            }

            if (unit.Get("poll") is { } poll && TryNumber(poll, out var period) && period == 0)
            {
                throw Error($"the {D("poll")} period must be more than zero");
            }

            if (unit.Get("syslog") is { Length: > 0 } facility && !s_facilities.Contains(facility, StringComparer.Ordinal))
            {
                throw Error($"invalid {D("syslog")} facility [{facility}]: use mail, user, daemon or local0 to local7");
            }

            if (unit.Get("domain") is { } domain)
            {
                if (domain.Trim().Length == 0)
                {
                    throw Error($"the {D("domain")} value cannot be empty");
                }

                if (!System.Text.Ascii.IsValid(domain))
                {
                    warnings.Add($"the {D("domain")} value [{domain}] is not ASCII: consider using its A-label (xn--...) form");
                }
            }

            foreach (var item in unit.GetList("interface"))
            {
                if (item.StartsWith("client=", StringComparison.OrdinalIgnoreCase))
                {
                    throw Error($"the {D("interface")} option cannot give the client address [{item}]: use {D("client-interface")}");
                }
            }

            foreach (var name in (string[])["server-tls-certificate", "client-tls-certificate"])
            {
                if (unit.Count(name) > 2)
                {
                    throw Error($"the {D(name)} option can be given at most twice");
                }
            }

            foreach (var name in (string[])["server-smtp-config", "client-smtp-config"])
            {
                foreach (var item in unit.GetSwitches(name).UnknownItems)
                {
                    warnings.Add($"unknown smtp-config item [{item}]");
                }
            }

            foreach (var item in unit.GetList("anonymous"))
            {
                if (!s_anonymousScopes.Contains(item, StringComparer.OrdinalIgnoreCase))
                {
                    warnings.Add($"unknown {D("anonymous")} scope [{item}]");
                }
            }
        }

        public void CheckCombinations()
        {
            foreach (var name in (string[])["pop-port", "pop-auth", "pop-by-name", "pop-no-delete"])
            {
                Requires(name, "pop");
            }

            Requires("pop", "pop-auth");
            Requires("admin-terminate", "admin");
            foreach (var name in (string[])["forward", "forward-on-disconnect", "client-filter"])
            {
                Requires(name, "forward-to");
            }

            var noServer = Has("as-client") ? "as-client" : "dont-serve";
            foreach (var name in (string[])["filter", "port", "server-auth", "pop", "admin"])
            {
                Conflicts(noServer, name);
            }

            foreach (var name in (string[])["filter", "port", "server-auth"])
            {
                Conflicts("no-smtp", name);
            }

            Requires("client-auth-config", "client-auth");
            Requires("server-auth-config", "server-auth");
            Conflicts("client-tls", "client-tls-connection");
            Conflicts("server-tls", "server-tls-connection");
            RequiresEither("client-tls-required", "client-tls", "client-tls-connection");
            RequiresEither("server-tls-required", "server-tls", "server-tls-connection");
            Requires("server-tls", "server-tls-certificate");
            Requires("server-tls-connection", "server-tls-certificate");
            Requires("client-tls-verify-name", "client-tls-verify");
            Requires("dnsbl", "remote-clients");
            Conflicts("forward-to-all", "forward-to-some");
            if (Has("immediate"))
            {
                warnings.Add($"the {D("immediate")} option can result in client timeout errors: try {D("forward-on-disconnect")} instead");
            }

            if (Has("client-interface") && unit.Get("forward-to") is { } to && to.StartsWith('/'))
            {
                throw Error($"the {D("client-interface")} option cannot be used with a unix-domain {D("forward-to")} address");
            }
        }

        public void CheckProcessWide()
        {
            if (Has("verbose") && !Has("log"))
            {
                throw Error($"the {D("verbose")} option requires {D("log")} or {D("help")}");
            }

            Requires("debug", "log");
            foreach (var item in unit.GetList("log-format"))
            {
                if (!s_logFormatItems.Contains(item, StringComparer.OrdinalIgnoreCase))
                {
                    warnings.Add($"unknown {D("log-format")} item [{item}]");
                }
            }
        }

        private void Requires(string option, string required)
        {
            if (Has(option) && !Has(required))
            {
                throw Error($"the {D(option)} option requires {D(required)}");
            }
        }

        private void RequiresEither(string option, string first, string second)
        {
            if (Has(option) && !Has(first) && !Has(second))
            {
                throw Error($"the {D(option)} option requires {D(first)} or {D(second)}");
            }
        }

        private void Conflicts(string option, string other)
        {
            if (Has(option) && Has(other))
            {
                throw Error($"the {D(option)} and {D(other)} options cannot be used together");
            }
        }

        private static bool TryNumber(string text, out int value) =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
