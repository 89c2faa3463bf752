using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;

namespace EmailRelay.Spool;

/// <summary>
/// Claims by rename, E-MailRelay's lock (reference §b) made recoverable: a message is claimed by
/// <c>.envelope</c> → <c>&lt;id&gt;.envelope.claim</c> (the rename decides who wins; the name is ours alone),
/// the owner lock's <c>busy</c> marker, then the claim → <c>.envelope.busy</c>; every release goes back through
/// the claim name with the marker cleared. A crash at any step leaves a state <see cref="SpoolRecovery"/> can
/// tell (its table). The caller holds the message's owner lock (the <c>&lt;id&gt;.lock</c> sidecar's flock).
/// </summary>
internal sealed class MessageClaims(SpoolPaths paths)
{
    /// <summary>
    /// Claims a message whose sidecar flock we hold. Returns 0, or the errno of the first rename (ENOENT: someone else
    /// has it) with nothing changed. Throws <see cref="IOException"/>, after putting the envelope back.
    /// </summary>
    public int Claim(MessageId id, OwnerLock ownerLock) => Claim(id, ownerLock, markBusy: true);

    /// <summary>
    /// As <see cref="Claim(MessageId, OwnerLock)"/>; <paramref name="markBusy"/> false for an owner lock whose marker is already
    /// <c>busy</c> for every message it guards (a POP session's shared lock).
    /// </summary>
    public int Claim(MessageId id, OwnerLock ownerLock, bool markBusy)
    {
        string envelope = paths.Of(id, SpoolFileKind.Envelope);
        string claim = paths.Claim(id);
        int errno = SpoolNative.Rename(envelope, claim);
        if (errno != 0)
        {
            return errno;
        }

        try
        {
            if (markBusy)
            {
                ownerLock.WriteMarker(OwnerLock.BusyMarker);
            }

            errno = SpoolNative.Rename(claim, paths.Of(id, SpoolFileKind.EnvelopeBusy));
            if (errno != 0)
            {
                throw new IOException("cannot rename \"" + claim + "\": errno " + errno, errno);
            }

            return 0;
        }
        catch (IOException)
        {
            // Marker first, so that a .envelope never stands beside our busy marker.
            try
            {
                if (markBusy)
                {
                    ownerLock.WriteMarker("");
                }
            }
            finally
            {
                _ = SpoolNative.Rename(claim, envelope);
            }

            throw;
        }
    }

    /// <summary>
    /// Releases a claimed message: <c>.envelope.busy</c> → <c>.envelope.claim</c>, marker cleared (or, for a shared
    /// lock, <paramref name="unmark"/> removes this message's link to it), then the claim → <paramref name="destination"/>
    /// (<c>.envelope</c> or <c>.envelope.bad</c>). Returns 0 or the errno of the failed rename (then the message is
    /// left at its current name, for recovery if we die holding it).
    /// </summary>
    public int Release(MessageId id, OwnerLock ownerLock, SpoolFileKind destination, Action? unmark = null)
    {
        string claim = paths.Claim(id);
        int errno = SpoolNative.Rename(paths.Of(id, SpoolFileKind.EnvelopeBusy), claim);
        if (errno != 0)
        {
            return errno;
        }

        try
        {
            if (unmark is null)
            {
                ownerLock.WriteMarker("");
            }
            else
            {
                unmark();
            }
        }
        catch (IOException)
        {
            // The claim is ours whatever the marker says.
        }

        return SpoolNative.Rename(claim, paths.Of(id, destination));
    }
}
