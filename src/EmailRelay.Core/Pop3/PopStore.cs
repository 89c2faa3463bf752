using EmailRelay.Protocol.Mail;
using EmailRelay.Spool;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Pop3;

/// <summary>
/// The POP3 server's maildrops (reference §f), built on the spool's verbs, so any <see cref="IMessageSpool"/> backs
/// them: the main spool, or with <c>--pop-by-name</c> the user's own spool (<see cref="IUserSpools"/>). Differences 4:
/// opening a maildrop claims every listed message as the forwarder would, so a message is never both forwarded and
/// retrieved. Beyond the first <see cref="EagerLockCount"/>, the claims are taken in listing order while the session
/// goes on (see <see cref="PopMaildrop"/>), so a large maildrop's login does not wait for them.
/// </summary>
internal sealed class PopStore
{
    /// <summary>
    /// Messages claimed before a login is answered (those another owner holds are left out of the listing). A larger
    /// maildrop's other messages are claimed while the session goes on, so its login does not wait for them.
    /// </summary>
    internal const int EagerLockCount = 1024;

    /// <summary>Messages per step of a maildrop's background claims, in listing order: RETR of message n waits for n's step.</summary>
    internal const int LockStepSize = 128;

    private readonly IMessageSpool _spool;

    /// <summary>Creates the store over <paramref name="spool"/>.</summary>
    public PopStore(IMessageSpool spool, bool byName, bool noDelete, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(spool);
        ArgumentNullException.ThrowIfNull(logger);
        if (byName && spool is not IUserSpools)
        {
            throw new ArgumentException("--pop-by-name needs a spool with user spools", nameof(spool));
        }

        _spool = spool;
        Logger = logger;
        ByName = byName;
        NoDelete = noDelete;
    }

    /// <summary><c>--pop-by-name</c>.</summary>
    public bool ByName { get; }

    /// <summary><c>--pop-no-delete</c>.</summary>
    public bool NoDelete { get; }

    /// <summary>How many listed messages are claimed before a login is answered (<see cref="EagerLockCount"/>; tests set fewer).</summary>
    internal int EagerLocks { get; init; } = EagerLockCount;

    internal ILogger Logger { get; }

    /// <summary>
    /// Opens <paramref name="user"/>'s maildrop: lists the ready messages, claims the first ones (leaving out those
    /// another owner holds) and starts claiming the rest (of which those another owner takes first become
    /// unavailable). Returns null if the user cannot have a maildrop (by name: not a plain directory name, or it
    /// cannot be made). Dispose the maildrop to release whatever it still holds.
    /// </summary>
    public async Task<PopMaildrop?> OpenAsync(string user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        IMessageSpool? spool = ByName ? ((IUserSpools)_spool).ForUser(user) : _spool;
        if (spool is null)
        {
            return null;
        }

        var ids = new List<MessageId>();
        await foreach (var id in spool.ListAsync(SpoolView.Ready, cancellationToken))
        {
            ids.Add(id);
        }

        IClaimGroup group = spool.CreateClaimGroup();
        try
        {
            long[] sizes = await group.SizesAsync(ids, cancellationToken);
            int eager = Math.Min(ids.Count, EagerLocks);
            bool[] claimed = await group.ClaimAsync(ids[..eager], cancellationToken);
            var entries = new List<PopMaildrop.Entry>(ids.Count);
            for (int i = 0; i < eager; i++)
            {
                if (claimed[i])
                {
                    entries.Add(new PopMaildrop.Entry(ids[i], sizes[i]) { Claimed = true });
                }
            }

            int firstPending = entries.Count;
            for (int i = eager; i < ids.Count; i++)
            {
                entries.Add(new PopMaildrop.Entry(ids[i], sizes[i]));
            }

            var maildrop = new PopMaildrop(this, group, entries, firstPending);
            maildrop.StartLocking();
            return maildrop;
        }
        catch
        {
            await group.DisposeAsync();
            throw;
        }
    }
}
