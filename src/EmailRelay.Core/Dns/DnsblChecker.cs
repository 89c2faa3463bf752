using System.Net;
using EmailRelay.Protocol.Dns;

namespace EmailRelay.Dns;

/// <summary>
/// The <c>--dnsbl</c> check of a peer address (reference §g): every list is asked at once (RFC 5782 §2.1: an A
/// record means listed); the peer is to be dropped when at least the threshold of lists list it. A threshold of 0
/// only reports. Lists that do not answer within the timeout count as not listing, unless the configured timeout
/// was negative, in which case a missing answer drops the peer too.
/// </summary>
internal sealed class DnsblChecker
{
    private readonly DnsResolver _resolver;

    /// <summary>Creates the checker; the resolver asks <see cref="DnsblConfig.NameServer"/> or else the first system name server.</summary>
    public DnsblChecker(DnsblConfig config, TimeProvider timeProvider, IReadOnlyList<IPEndPoint>? systemServers = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        var server = config.NameServer ?? (systemServers ?? DnsServers.FromSystem())[0];
        // Resend a few times within the timeout: a lost datagram should not cost the whole timeout.
        var attempt = TimeSpan.FromTicks(Math.Max(config.Timeout.Ticks / 3, TimeSpan.FromMilliseconds(100).Ticks));
        _resolver = new DnsResolver([server], attempt, config.Timeout, timeProvider);
    }

    /// <summary>The settings.</summary>
    public DnsblConfig Config { get; }

    /// <summary>The name server asked.</summary>
    public IPEndPoint NameServer => _resolver.Servers[0];

    /// <summary>Asks every list about the address.</summary>
    public async Task<DnsblResult> CheckAsync(IPAddress address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        var answers = await Task.WhenAll(Config.Servers.Select(server => _resolver.QueryAsync(DnsblQueryName.For(address, server), DnsRecordType.A, cancellationToken)));
        var listed = new List<string>();
        var unanswered = new List<string>();
        for (var i = 0; i < answers.Length; i++)
        {
            if (answers[i].Addresses(DnsRecordType.A).Any())
            {
                listed.Add(Config.Servers[i]);
            }
            else if (answers[i].Status is DnsStatus.Timeout or DnsStatus.ServerFailure)
            {
                unanswered.Add(Config.Servers[i]);
            }
        }

        var drop = Config.Threshold > 0 && (listed.Count >= Config.Threshold || (Config.DropOnTimeout && unanswered.Count > 0));
        return new DnsblResult(listed, unanswered, drop);
    }
}
