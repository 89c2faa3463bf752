using System.Globalization;
using EmailRelay.Protocol.Filters;
using EmailRelay.Spool;

namespace EmailRelay.Filters;

/// <summary>
/// The <c>split:</c> built-in (reference §c): groups the <c>To-Remote</c> recipients by domain (compared lowercased
/// unless <c>raw</c>, spelt as first seen), in order of first appearance. The first domain keeps the original message; every other domain gets a
/// new message (<see cref="IFilterMessage.CreateCopyAsync"/>: new id, the same content, never seen by later server
/// filters, ready only when the original is committed, and removed if the original is not) without the <c>To-Local</c> recipients. Every envelope gets
/// <c>ForwardTo=&lt;domain&gt;[:port]</c>, and, when the message was split, the trailer
/// <c>X-MailRelay-SplitGroupCount: n</c> and one <c>X-MailRelay-SplitGroup: &lt;id&gt;</c> per message of the group.
/// The copies are written before the original is rewritten (<see cref="MessageSplit"/>, shared with <c>route:</c>).
/// </summary>
internal sealed class SplitFilter : IMessageFilter
{
    private readonly bool _raw;
    private readonly int? _port;

    /// <summary>Creates the filter.</summary>
    /// <param name="name">The spec text.</param>
    /// <param name="flags"><see cref="FilterSpecFlags.Raw"/>: compare domains case-sensitively.</param>
    /// <param name="port">A port to add to ForwardTo, or null.</param>
    public SplitFilter(string name, FilterSpecFlags flags, int? port)
    {
        Name = name;
        _raw = flags.HasFlag(FilterSpecFlags.Raw);
        _port = port;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>
    /// The recipients grouped by domain, in order of first appearance. Domains are compared lower-cased unless
    /// <paramref name="raw"/>, but each group's <c>Domain</c> (its <c>ForwardTo</c>) is spelt as it first appeared, as
    /// E-MailRelay keeps it (<c>Domain_One.com</c> stays so).
    /// </summary>
    public static List<(string Domain, List<string> Recipients)> Group(IEnumerable<string> recipients, bool raw)
    {
        ArgumentNullException.ThrowIfNull(recipients);
        var groups = new List<(string Domain, List<string> Recipients)>();
        var comparison = raw ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        foreach (var recipient in recipients)
        {
            var at = recipient.LastIndexOf('@');
            var domain = at < 0 ? "" : recipient[(at + 1)..];
            var index = groups.FindIndex(g => string.Equals(g.Domain, domain, comparison));
            if (index < 0)
            {
                groups.Add((domain, [recipient]));
            }
            else
            {
                groups[index].Recipients.Add(recipient);
            }
        }

        return groups;
    }

    /// <inheritdoc />
    public async Task<FilterResult> RunAsync(FilterContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            var read = await context.Message.ReadEnvelopeAsync(cancellationToken);
            if (read.Envelope is not { } envelope)
            {
                return Fail("invalid envelope: " + read.Error);
            }

            var groups = Group(envelope.ToRemote, _raw);
            if (groups.Count == 0)
            {
                return FilterResult.Ok;
            }

            await MessageSplit.ApplyAsync(context, envelope, groups, (e, domain) => e with { ForwardTo = ForwardTo(domain) }, cancellationToken);
            return FilterResult.Ok;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(e.Message);
        }
    }

    private static FilterResult Fail(string reason) => new(FilterOutcome.Fail, false, "error", 0, reason);

    private string ForwardTo(string domain)
        => _port is { } port ? string.Concat(domain, ":", port.ToString(CultureInfo.InvariantCulture)) : domain;
}
