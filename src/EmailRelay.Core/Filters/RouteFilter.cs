using EmailRelay.Protocol.Filters;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Routing;

namespace EmailRelay.Filters;

/// <summary>
/// The <c>route:&lt;file&gt;</c> built-in (README "Outbound: routing"), for <c>--filter</c>: each <c>To-Remote</c>
/// recipient takes the first rule of the <see cref="RouteTable"/> that matches it (recipient domain, sender domain,
/// authenticated user, or any). Recipients no rule matches keep the message as it is; those of one rule get its route
/// in E-MailRelay's envelope fields: <c>ForwardToAddress</c> (the smarthost list, with a TLS scheme if the rule asks;
/// untouched for <c>-</c>), <c>ClientAccountSelector</c> (when the rule names an account) and <c>ForwardTo</c> (the
/// first recipient's domain, as <c>split:</c> sets it). A message whose recipients take several routes is split as
/// <c>split:</c> splits (<see cref="MessageSplit"/>). The table is re-read when its file changes.
/// </summary>
internal sealed class RouteFilter : IMessageFilter
{
    private readonly RouteTableFile _table;

    /// <summary>Creates the filter over a loaded table.</summary>
    /// <param name="name">The spec text.</param>
    /// <param name="table">The table file.</param>
    public RouteFilter(string name, RouteTableFile table)
    {
        Name = name;
        _table = table;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The recipients grouped by the rule each takes (null: none), in order of first appearance.</summary>
    public static List<(RouteRule? Rule, List<string> Recipients)> Group(RouteTable table, Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(envelope);
        var groups = new List<(RouteRule? Rule, List<string> Recipients)>();
        foreach (var recipient in envelope.ToRemote)
        {
            var rule = table.Find(envelope.From, envelope.Authentication, recipient);
            var index = groups.FindIndex(g => ReferenceEquals(g.Rule, rule));
            if (index < 0)
            {
                groups.Add((rule, [recipient]));
            }
            else
            {
                groups[index].Recipients.Add(recipient);
            }
        }

        return groups;
    }

    /// <summary>An envelope with <paramref name="rule"/>'s route recorded (unchanged for null).</summary>
    public static Envelope WithRoute(Envelope envelope, RouteRule? rule)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (rule is null)
        {
            return envelope;
        }

        var first = envelope.ToRemote.Count > 0 ? envelope.ToRemote[0] : "";
        var at = first.LastIndexOf('@');
        return envelope with
        {
            ForwardTo = at < 0 ? envelope.ForwardTo : first[(at + 1)..].ToLowerInvariant(),
            ForwardToAddress = rule.Smarthost.Length > 0 ? rule.Smarthost : envelope.ForwardToAddress,
            ClientAccountSelector = rule.Account.Length > 0 ? rule.Account : envelope.ClientAccountSelector,
        };
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

            var groups = Group(_table.Current, envelope);
            if (groups.All(g => g.Rule is null))
            {
                return FilterResult.Ok;
            }

            await MessageSplit.ApplyAsync(context, envelope, groups, WithRoute, cancellationToken);
            return FilterResult.Ok;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(e.Message);
        }
    }

    private static FilterResult Fail(string reason) => new(FilterOutcome.Fail, false, "error", 0, reason);
}
