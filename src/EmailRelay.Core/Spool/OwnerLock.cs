using System.Text;
using Microsoft.Win32.SafeHandles;

namespace EmailRelay.Spool;

/// <summary>
/// The <c>&lt;id&gt;.lock</c> sidecar of a message this process owns: an exclusive <c>flock</c> held for
/// as long as the message is being received (marker <c>new</c>) or is locked (marker <c>busy</c>).
/// The kernel drops the lock when the owner dies, which is how <see cref="FileSpool"/> tells a stale
/// <c>.busy</c>/<c>.new</c> from a live one. The marker says what the owner had done when it died.
/// </summary>
internal sealed class OwnerLock : IDisposable
{
    /// <summary>Marker of a message being received.</summary>
    public const string NewMarker = "new";

    /// <summary>Marker of a message renamed to <c>.envelope.busy</c>.</summary>
    public const string BusyMarker = "busy";

    private readonly SafeFileHandle _handle;
    private readonly FilePool? _pool;

    private OwnerLock(string path, SafeFileHandle handle, FilePool? pool)
    {
        Path = path;
        _handle = handle;
        _pool = pool;
    }

    /// <summary>The lock file's path.</summary>
    public string Path { get; }

    /// <summary>How many names the locked file has (more than one: a POP session's lock shared by its messages); 1 if it cannot be told.</summary>
    public uint LinkCount => SpoolNative.TryStat(_handle, out SpoolNative.FileStatus status) ? status.Links : 1;

    /// <summary>The outcome of <see cref="TryAcquire"/> when it returns null.</summary>
    public enum Failure
    {
        /// <summary>Acquired.</summary>
        None,

        /// <summary>The file does not exist (and was not to be created).</summary>
        Missing,

        /// <summary>The file exists and an exclusive create was asked for.</summary>
        Exists,

        /// <summary>Another live owner holds it.</summary>
        Held,
    }

    /// <summary>
    /// Opens (creating if asked) and exclusively locks the file without blocking. Returns null and the
    /// reason if it is missing, exists (exclusive create), or is held by another open file description.
    /// Throws <see cref="IOException"/> on any other error (errno in the HResult). With a <paramref name="pool"/>,
    /// a missing file is taken from it (locked before it gets the name) rather than created, and
    /// <see cref="Release"/> gives the file back to it.
    /// </summary>
    public static OwnerLock? TryAcquire(string path, bool create, bool exclusive, out Failure failure, FilePool? pool = null)
    {
        if (create && pool is not null)
        {
            SafeFileHandle? taken = pool.TryTakeLocked(path, out int takeErrno);
            if (taken is not null)
            {
                failure = Failure.None;
                return new OwnerLock(path, taken, pool);
            }

            if (takeErrno == SpoolNative.EEXIST && exclusive)
            {
                failure = Failure.Exists;
                return null;
            }
        }

        SafeFileHandle? handle = SpoolNative.OpenReadWrite(path, create, exclusive, out int errno);
        if (handle is null)
        {
            failure = errno switch
            {
                SpoolNative.ENOENT when !create => Failure.Missing,
                SpoolNative.EEXIST when exclusive => Failure.Exists,
                _ => throw new IOException("cannot open \"" + path + "\": errno " + errno, errno),
            };
            return null;
        }

        if (!SpoolNative.TryLockExclusive(handle, out errno))
        {
            handle.Dispose();
            failure = errno == SpoolNative.EWOULDBLOCK
                ? Failure.Held
                : throw new IOException("cannot lock \"" + path + "\": errno " + errno, errno);
            return null;
        }

        if (!SpoolNative.IsNamedBy(handle, path))
        {
            // Its holder removed it (or gave it to the pool) between our open and our flock: it no longer guards the name.
            handle.Dispose();
            return create ? TryAcquire(path, create, exclusive, out failure, pool) : Missing(out failure);
        }

        failure = Failure.None;
        return new OwnerLock(path, handle, pool);
    }

    /// <summary>
    /// The marker written by the last owner (empty if none). The marker is the file's <i>size</i> (3 is
    /// <see cref="NewMarker"/>, 4 is <see cref="BusyMarker"/>), set with one <c>ftruncate</c>: a size change is
    /// metadata, which journaling file systems commit in order with the renames around it, whereas written
    /// bytes reach the disk whenever writeback gets to them, so a power loss could keep a rename and lose the
    /// marker written before it. The content is zeros; other content is read as text (<c>&lt;marker&gt; &lt;pid&gt;</c>, the earlier format);
    /// anything unrecognised reads as empty.
    /// </summary>
    public string ReadMarker()
    {
        Span<byte> buffer = stackalloc byte[64];
        int n = RandomAccess.Read(_handle, buffer, 0);
        if (!buffer[..n].ContainsAnyExcept((byte)0))
        {
            return n switch
            {
                3 => NewMarker,
                4 => BusyMarker,
                _ => "",
            };
        }

        string word = Encoding.ASCII.GetString(buffer[..n]).Split(' ', 2)[0].Trim();
        return word is NewMarker or BusyMarker ? word : "";
    }

    /// <summary>True if the sidecar has no marker at all (size 0): none was set, or a power loss took it.</summary>
    public bool IsEmpty => RandomAccess.GetLength(_handle) == 0;

    /// <summary>Replaces the marker: one <c>ftruncate</c> to its length (see <see cref="ReadMarker"/>); the content is zeros.</summary>
    public void WriteMarker(string marker) => RandomAccess.SetLength(_handle, marker.Length);

    /// <summary>Clears the marker, removes the file (or gives it, empty, to the pool) while still holding the lock, and releases it.</summary>
    public void Release()
    {
        try
        {
            RandomAccess.SetLength(_handle, 0);
            if (_pool is null)
            {
                File.Delete(Path);
            }
            else
            {
                _ = _pool.RecycleEmpty(Path, _handle);
            }
        }
        catch (IOException)
        {
            // Best effort: an orphan lock file without a marker is harmless and is cleaned by recovery.
        }
        finally
        {
            _handle.Dispose();
        }
    }

    /// <summary>
    /// Renames the held lock file to <paramref name="newPath"/> without replacing anything there, keeping the
    /// flock (it belongs to the open file, not the name). Returns the lock under its new name (this instance
    /// must not be used again), or null with the errno (EEXIST: the name is taken) leaving this one as it was.
    /// Used to recycle sidecars between new messages instead of creating and unlinking one per message.
    /// </summary>
    public OwnerLock? TryMoveTo(string newPath, out int errno)
    {
        errno = SpoolNative.RenameNoReplace(Path, newPath);
        return errno == 0 ? new OwnerLock(newPath, _handle, _pool) : null;
    }

    private static OwnerLock? Missing(out Failure failure)
    {
        failure = Failure.Missing;
        return null;
    }

    /// <summary>Closes without removing anything (what a crash does; for tests).</summary>
    public void Dispose() => _handle.Dispose();
}
