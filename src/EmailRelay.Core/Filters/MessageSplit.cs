using System.Globalization;
using EmailRelay.Protocol.Mail;
using EmailRelay.Spool;

namespace EmailRelay.Filters;

/// <summary>
/// How <c>split:</c> (reference §c) and <c>route:</c> split a message whose recipients go different ways: the first
/// group keeps the original message, every other group gets a copy (<see cref="IFilterMessage.CreateCopyAsync"/>: a
/// new id, the same content, without the <c>To-Local</c> recipients), and when there is more than one group every
/// envelope gets <c>X-MailRelay-SplitGroupCount: n</c> and one <c>X-MailRelay-SplitGroup: &lt;id&gt;</c> per message.
/// The copies are written before the original is rewritten.
/// </summary>
internal static class MessageSplit
{
    private const string GroupCountField = "X-MailRelay-SplitGroupCount:";
    private const string GroupField = "X-MailRelay-SplitGroup:";

    /// <summary>Writes one message per group: <paramref name="shape"/> gives each group's envelope from the original with the group's recipients.</summary>
    /// <param name="context">The filter's message.</param>
    /// <param name="envelope">The original envelope.</param>
    /// <param name="groups">The recipient groups, at least one; the first stays in the original.</param>
    /// <param name="shape">Sets a group's routing fields (<c>ForwardTo</c>, <c>ForwardToAddress</c>, the selector) on its envelope.</param>
    /// <param name="cancellationToken">Shutdown.</param>
    public static async Task ApplyAsync<TGroup>(FilterContext context, Envelope envelope, IReadOnlyList<(TGroup Key, List<string> Recipients)> groups,
        Func<Envelope, TGroup, Envelope> shape, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(shape);
        var message = context.Message;
        var copies = new List<IMessageCopy>();
        try
        {
            for (int i = 1; i < groups.Count; i++)
            {
                copies.Add(await message.CreateCopyAsync(cancellationToken));
            }

            var trailer = envelope.Trailer.Where(l => !l.StartsWith(GroupCountField, StringComparison.Ordinal) && !l.StartsWith(GroupField, StringComparison.Ordinal)).ToList();
            if (copies.Count != 0)
            {
                trailer.Add(GroupCountField + " " + groups.Count.ToString(CultureInfo.InvariantCulture));
                trailer.Add(GroupField + " " + context.Id.Value);
                trailer.AddRange(copies.Select(c => GroupField + " " + c.Id.Value));
            }

            for (int i = 0; i < copies.Count; i++)
            {
                var group = groups[i + 1];
                await copies[i].SaveAsync(shape(envelope with { ToLocal = [], ToRemote = group.Recipients, Trailer = trailer, UsesLfLineEndings = false }, group.Key), cancellationToken);
            }

            await message.ReplaceEnvelopeAsync(shape(envelope with { ToRemote = groups[0].Recipients, Trailer = trailer }, groups[0].Key), cancellationToken);
        }
        finally
        {
            foreach (var copy in copies)
            {
                copy.Dispose();
            }
        }
    }
}
