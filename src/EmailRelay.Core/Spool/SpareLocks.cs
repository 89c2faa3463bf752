using EmailRelay.Protocol.Storage;

namespace EmailRelay.Spool;

/// <summary>
/// Held, cleared lock sidecars kept between new messages while others are being received, so a busy spool does not
/// create and unlink one <c>&lt;id&gt;.lock</c> per message. <see cref="Begin"/> once for every new message, and
/// <see cref="Finish"/> once when it is finished (committed, removed, or its creation failed), with its owner lock
/// or null: the lock becomes a spare for the next new message when others are in progress, else it is released; the
/// last message to finish releases every spare, so an idle spool holds none.
/// </summary>
/// <remarks>
/// A spare is the same held, cleared lock file renamed (<c>RENAME_NOREPLACE</c>) to an unused id's name; recovery
/// sees it as an orphan lock (held while we live, removed after we die), and nothing else ever reads it.
/// </remarks>
internal sealed class SpareLocks(SpoolPaths paths, TimeProvider timeProvider)
{
    /// <summary>The most spare lock files kept.</summary>
    public const int MaxSpares = 64;

    private readonly Lock _gate = new();
    private readonly Stack<OwnerLock> _spares = new();
    private int _active;

    /// <summary>A new message is starting.</summary>
    public void Begin()
    {
        lock (_gate)
        {
            _active++;
        }
    }

    /// <summary>A spare lock renamed to <paramref name="lockPath"/>, or null (none, or the name is taken: then the caller's create fails the same way).</summary>
    public OwnerLock? Take(string lockPath)
    {
        OwnerLock? spare;
        lock (_gate)
        {
            if (!_spares.TryPop(out spare))
            {
                return null;
            }
        }

        OwnerLock? moved = spare.TryMoveTo(lockPath, out _);
        if (moved is null)
        {
            // Still a valid spare under its old name; this process is active, so the pool is not drained yet.
            lock (_gate)
            {
                _spares.Push(spare);
            }
        }

        return moved;
    }

    /// <summary>A new message is finished, with its owner lock (marker still set) or null.</summary>
    public void Finish(OwnerLock? ownerLock)
    {
        List<OwnerLock>? drain = null;
        bool keep;
        lock (_gate)
        {
            _active--;
            keep = ownerLock is not null && _active > 0 && _spares.Count < MaxSpares;
            if (_active == 0 && _spares.Count > 0)
            {
                drain = [.. _spares];
                _spares.Clear();
            }
        }

        if (ownerLock is not null)
        {
            OwnerLock? spare = keep ? TryMakeSpare(ownerLock) : null;
            if (spare is null)
            {
                ownerLock.Release();
            }
            else
            {
                lock (_gate)
                {
                    // Only while others are in progress: whoever brings the count to zero drains the pool.
                    if (_active > 0)
                    {
                        _spares.Push(spare);
                        spare = null;
                    }
                }

                spare?.Release();
            }
        }

        drain?.ForEach(static spare => spare.Release());
    }

    private OwnerLock? TryMakeSpare(OwnerLock ownerLock)
    {
        try
        {
            ownerLock.WriteMarker("");
            for (int attempt = 0; attempt < 3; attempt++)
            {
                OwnerLock? moved = ownerLock.TryMoveTo(paths.Of(MessageIds.Next(timeProvider), SpoolFileKind.Lock), out int errno);
                if (moved is not null || errno != SpoolNative.EEXIST)
                {
                    return moved;
                }
            }
        }
        catch (Exception exception) when (SpoolErrors.IsIo(exception))
        {
            // Released by the caller instead.
        }

        return null;
    }
}
