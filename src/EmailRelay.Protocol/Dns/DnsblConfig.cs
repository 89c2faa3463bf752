using System.Globalization;
using System.Net;

namespace EmailRelay.Protocol.Dns;

/// <summary>
/// The <c>--dnsbl</c> value (reference §g): <c>server1,server2,...,&lt;threshold&gt;,&lt;timeout-ms&gt;,&lt;dns-ip:port&gt;</c>,
/// or the same fields in reverse order (<c>&lt;dns&gt;,&lt;timeout&gt;,&lt;threshold&gt;,servers...</c>) for backward
/// compatibility. The numbers and the DNS address may be left out: threshold 1, timeout 5000 ms, the system's first
/// name server. A negative timeout means a timeout drops the connection instead of allowing it.
/// </summary>
internal sealed record DnsblConfig
{
    /// <summary>The default threshold.</summary>
    public const int DefaultThreshold = 1;

    /// <summary>The default timeout.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMilliseconds(5000);

    /// <summary>The DNSBL zones, in order.</summary>
    public required IReadOnlyList<string> Servers { get; init; }

    /// <summary>How many lists must list a peer to drop it; 0 means log only.</summary>
    public int Threshold { get; init; } = DefaultThreshold;

    /// <summary>How long to wait for the answers.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>True if a timeout drops the connection (a negative timeout was given).</summary>
    public bool DropOnTimeout { get; init; }

    /// <summary>The name server to ask, or null for the system's first one.</summary>
    public IPEndPoint? NameServer { get; init; }

    /// <summary>Parses the option value.</summary>
    public static bool TryParse(string? text, out DnsblConfig? config, out string error)
    {
        config = null;
        error = "invalid dnsbl option: [" + text + "]";
        var items = (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var servers = new List<string>();
        int? threshold = null;
        int? timeout = null;
        IPEndPoint? nameServer = null;
        if (items.Length > 0 && NameServerAddress.TryParse(items[0], out var first))
        {
            // The old order: dns, timeout, threshold, servers.
            nameServer = first;
            var i = 1;
            if (i < items.Length && TryNumber(items[i], out var t))
            {
                timeout = t;
                i++;
                if (i < items.Length && TryNumber(items[i], out var n))
                {
                    threshold = n;
                    i++;
                }
            }

            servers.AddRange(items[i..]);
        }
        else
        {
            // servers, threshold, timeout, dns.
            var i = 0;
            while (i < items.Length && !TryNumber(items[i], out _) && !NameServerAddress.TryParse(items[i], out _))
            {
                servers.Add(items[i++]);
            }

            if (i < items.Length && TryNumber(items[i], out var n))
            {
                threshold = n;
                i++;
                if (i < items.Length && TryNumber(items[i], out var t))
                {
                    timeout = t;
                    i++;
                }
            }

            if (i < items.Length && NameServerAddress.TryParse(items[i], out var dns))
            {
                nameServer = dns;
                i++;
            }

            if (i != items.Length)
            {
                return false;
            }
        }

        if (servers.Count == 0 || !servers.TrueForAll(IsZone) || threshold < 0 || timeout == 0)
        {
            return false;
        }

        var milliseconds = timeout ?? (int)DefaultTimeout.TotalMilliseconds;
        config = new DnsblConfig
        {
            Servers = servers,
            Threshold = threshold ?? DefaultThreshold,
            Timeout = TimeSpan.FromMilliseconds(Math.Abs((long)milliseconds)),
            DropOnTimeout = milliseconds < 0,
            NameServer = nameServer,
        };
        error = "";
        return true;
    }

    private static bool TryNumber(string item, out int number)
    {
        number = 0;
        var digits = item.StartsWith('-') ? item[1..] : item;
        return digits.Length is > 0 and < 10 && digits.All(char.IsAsciiDigit)
            && int.TryParse(item, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number);
    }

    private static bool IsZone(string item) => DnsQuery.TryEncodeName(item, out _, out _) && !IPAddress.TryParse(item, out _);
}
