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

    private OwnerLock(string path, SafeFileHandle handle)
    {
        Path = path;
        _handle = handle;
    }

    /// <summary>The lock file's path.</summary>
    public string Path { get; }

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
    /// Throws <see cref="IOException"/> on any other error (errno in the HResult).
    /// </summary>
    public static OwnerLock? TryAcquire(string path, bool create, bool exclusive, out Failure failure)
    {
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

        failure = Failure.None;
        return new OwnerLock(path, handle);
    }

    /// <summary>The marker written by the last owner (empty if none).</summary>
    public string ReadMarker()
    {
        Span<byte> buffer = stackalloc byte[64];
        int n = RandomAccess.Read(_handle, buffer, 0);
        return Encoding.ASCII.GetString(buffer[..n]).Split(' ', 2)[0].Trim();
    }

    /// <summary>Replaces the marker (<c>&lt;marker&gt; &lt;pid&gt;</c>; the pid is for people reading the file).</summary>
    public void WriteMarker(string marker)
    {
        RandomAccess.SetLength(_handle, 0);
        if (marker.Length > 0)
        {
            RandomAccess.Write(_handle, Encoding.ASCII.GetBytes(marker + " " + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n"), 0);
        }
    }

    /// <summary>Clears the marker, removes the file while still holding the lock, and releases it.</summary>
    public void Release()
    {
        try
        {
            RandomAccess.SetLength(_handle, 0);
            File.Delete(Path);
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
        return errno == 0 ? new OwnerLock(newPath, _handle) : null;
    }

    /// <summary>Closes without removing anything (what a crash does; for tests).</summary>
    public void Dispose() => _handle.Dispose();
}
