using System.Globalization;
using System.Net;
using EmailRelay.Dns;
using EmailRelay.Protocol.Dns;
using EmailRelay.Protocol.Filters;
using EmailRelay.Protocol.Storage;

namespace EmailRelay.Filters;

/// <summary>
/// The <c>mx:</c> built-in (reference §c), meant as a <c>--client-filter</c> after <c>split:</c>: it reads the
/// envelope's ForwardTo (<c>domain[:port]</c>). An IP address (also <c>[1.2.3.4]</c> or <c>[IPv6:...]</c>) goes
/// straight into ForwardToAddress; a domain gets an MX lookup, then A/AAAA lookups, and the result
/// <c>ip:port</c> (port 25 unless ForwardTo has one) goes into ForwardToAddress. An answer of <c>0.0.0.0</c>
/// clears ForwardToAddress, which means "use <c>--forward-to</c>". A failed lookup is a fail result. An envelope
/// without ForwardTo is left alone. Options: name servers (<c>ip[:port]</c>, else the system's), <c>nst=</c> the
/// seconds one server gets per attempt (default 5) and <c>rt=</c> the seconds a lookup may take in all (default 15).
/// </summary>
internal sealed class MxFilter : IMessageFilter
{
    /// <summary>The default <c>nst=</c>.</summary>
    public static readonly TimeSpan DefaultServerTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The default <c>rt=</c>.</summary>
    public static readonly TimeSpan DefaultLookupTimeout = TimeSpan.FromSeconds(15);

    private const int DefaultPort = 25;
    private readonly MxLookup _lookup;

    /// <summary>Creates the filter over a lookup.</summary>
    public MxFilter(string name, MxLookup lookup)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        Name = name;
        _lookup = lookup;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Builds the filter for a parsed <c>mx:</c> spec.</summary>
    public static MxFilter Create(FilterSpec spec, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var servers = new List<IPEndPoint>();
        foreach (var text in spec.DnsServers)
        {
            // The spec parser accepted it; a form this parser does not take is an error here rather than ignored.
            servers.Add(NameServerAddress.TryParse(text, out var server) ? server : throw new FormatException("invalid mx name server [" + text + "]"));
        }

        var attempt = spec.NameServerTimeoutSeconds is int nst and > 0 ? TimeSpan.FromSeconds(nst) : DefaultServerTimeout;
        var total = spec.RestartTimeoutSeconds is int rt and > 0 ? TimeSpan.FromSeconds(rt) : DefaultLookupTimeout;
        var resolver = new DnsResolver(servers.Count > 0 ? servers : DnsServers.FromSystem(), attempt, total, timeProvider);
        return new MxFilter(spec.Text, new MxLookup(resolver));
    }

    /// <inheritdoc />
    public async Task<FilterResult> RunAsync(FilterContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        EnvelopeReadResult read;
        try
        {
            read = await context.Message.ReadEnvelopeAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail("cannot read envelope: " + e.Message);
        }

        if (read.Envelope is not { } envelope)
        {
            return Fail("invalid envelope: " + read.Error);
        }

        if (envelope.ForwardTo.Length == 0)
        {
            return FilterResult.Ok;
        }

        if (!TrySplit(envelope.ForwardTo, out var host, out var literal, out var port))
        {
            return Fail("invalid forward-to [" + envelope.ForwardTo + "]");
        }

        var address = literal;
        if (address is null)
        {
            var found = await _lookup.LookupAsync(host, cancellationToken);
            if (found.Address is null)
            {
                return Fail(found.Error);
            }

            address = found.Address;
        }

        var forwardToAddress = MxLookup.IsUnspecified(address) ? "" : Format(address, port);
        if (!string.Equals(forwardToAddress, envelope.ForwardToAddress, StringComparison.Ordinal))
        {
            try
            {
                await context.Message.ReplaceEnvelopeAsync(envelope with { ForwardToAddress = forwardToAddress }, cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Fail("cannot write envelope: " + e.Message);
            }
        }

        return FilterResult.Ok;
    }

    /// <summary>
    /// Splits ForwardTo into a host and a port: <c>domain</c>, <c>domain:port</c>, <c>1.2.3.4[:port]</c>,
    /// <c>[1.2.3.4][:port]</c>, <c>[IPv6:addr][:port]</c> or a bare IPv6 address. <paramref name="literal"/> is the
    /// address when the host is one.
    /// </summary>
    public static bool TrySplit(string forwardTo, out string host, out IPAddress? literal, out int port)
    {
        ArgumentNullException.ThrowIfNull(forwardTo);
        host = forwardTo;
        literal = null;
        port = DefaultPort;
        string? rest = null; // the port text after a colon
        if (forwardTo.StartsWith('['))
        {
            var close = forwardTo.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            host = forwardTo[1..close];
            if (host.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase))
            {
                host = host[5..];
            }

            var after = forwardTo[(close + 1)..];
            if (!IPAddress.TryParse(host, out literal) || (after.Length > 0 && !after.StartsWith(':')))
            {
                return false;
            }

            rest = after.Length > 0 ? after[1..] : null;
        }
        else if (forwardTo.Count(c => c == ':') >= 2)
        {
            return IPAddress.TryParse(forwardTo, out literal);
        }
        else if (forwardTo.IndexOf(':', StringComparison.Ordinal) is var colon and >= 0)
        {
            host = forwardTo[..colon];
            rest = forwardTo[(colon + 1)..];
        }

        if (rest is not null && (!int.TryParse(rest, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is 0 or > 65535))
        {
            return false;
        }

        if (literal is null && host.Count(c => c == '.') == 3 && IPAddress.TryParse(host, out var v4))
        {
            literal = v4;
        }

        return host.Length > 0;
    }

    private static string Format(IPAddress address, int port)
    {
        var text = address.IsIPv4MappedToIPv6 ? address.MapToIPv4().ToString() : address.ToString();
        return (text.Contains(':', StringComparison.Ordinal) ? "[" + text + "]" : text) + ":" + port.ToString(CultureInfo.InvariantCulture);
    }

    private static FilterResult Fail(string reason) => new(FilterOutcome.Fail, false, "mx lookup failed", 0, reason);
}
