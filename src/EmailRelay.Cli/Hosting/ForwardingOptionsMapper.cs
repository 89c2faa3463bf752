using EmailRelay.Cli.CommandLine;
using EmailRelay.Hosting;
using EmailRelay.Protocol.Smtp.Client;
using EmailRelay.Smtp.Client;

namespace EmailRelay.Cli.Hosting;

/// <summary>Maps a unit's forwarding options (reference §a, §h, §i; differences 13) to <see cref="ForwardingOptions"/>.</summary>
internal static class ForwardingOptionsMapper
{
    /// <summary>Maps the options; null when the unit does not forward.</summary>
    /// <param name="options">The unit's options (mode shorthands already expanded).</param>
    /// <param name="domain">The unit's domain (for the EHLO name rule).</param>
    /// <returns>The settings, or null.</returns>
    public static ForwardingOptions? Map(UnitOptions options, string domain)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!UnitOptionsMapper.Forwards(options) && !options.IsSet("immediate"))
        {
            return null;
        }

        ForwardTarget? target = null;
        if (options.Get("forward-to") is { Length: > 0 } text)
        {
            if (!ForwardTarget.TryParse(text, out var parsed))
            {
                throw new ConfigurationException("invalid forward-to address: [" + text + "]");
            }

            target = parsed;
        }

        var switches = options.GetSwitches("client-smtp-config");
        var policy = SmtpClientPolicy.Default with
        {
            Pipelining = switches.IsOn("pipelining", false),
            SmtpUtf8Strict = switches.IsOn("smtputf8strict", true),
            EightBitStrict = switches.IsOn("eightbitstrict", false),
            BinaryMimeStrict = switches.IsOn("binarymimestrict", true),
            ForwardToSome = options.IsSet("forward-to-some"),
        };
        var client = new SmtpClientOptions
        {
            Target = target,
            Domain = domain,
            Policy = policy,
            ConnectionTimeout = options.GetSeconds("connection-timeout", TimeSpan.FromSeconds(40)),
            PromptTimeout = options.GetSeconds("prompt-timeout", TimeSpan.FromSeconds(20)),
            ResponseTimeout = options.GetSeconds("response-timeout", TimeSpan.FromSeconds(300)),
            ClientInterface = options.Get("client-interface"),
            Linger = switches.IsOn("linger", true),
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
        };
    }
}
