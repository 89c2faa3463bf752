using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace EmailRelay.Platform.Unix;

/// <summary>
/// The calls Linux and macOS share (libc's <c>open</c>, <c>rename</c>, <c>link</c>, <c>unlink</c>, <c>flock</c>,
/// <c>fsync</c>), written once over each system's <see cref="UnixConstants"/>; the system layers add what differs
/// (no-replace rename, flushing to stable storage, file status). New spool files are opened with libc's <c>open</c>
/// rather than <see cref="File.OpenHandle"/>, which adds an <c>fstatfs</c>, an advisory <c>flock</c> and an <c>lseek</c>
/// to every open that the spool does not need.
/// </summary>
internal abstract partial class UnixFiles : IFilePlatform
{
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;
    private const int LockRelease = 8;

    /// <summary>0660: E-MailRelay compat (message files are group read-write), umask permitting.</summary>
    protected const int Mode0660 = 0x1B0;

    /// <summary>This system's values.</summary>
    public abstract UnixConstants Constants { get; }

    /// <inheritdoc/>
    public SafeFileHandle? Open(string path, FileOpenMode mode, out int error) => OpenRaw(path, Constants.OpenFlags(mode), out error);

    /// <inheritdoc/>
    public abstract void Flush(SafeFileHandle handle, string path);

    /// <inheritdoc/>
    public abstract int RenameNoReplace(string from, string to);

    /// <inheritdoc/>
    public int Rename(string from, string to) => rename(from, to) == 0 ? 0 : LastError();

    /// <inheritdoc/>
    public int Link(string existing, string newPath) => link(existing, newPath) == 0 ? 0 : LastError();

    /// <inheritdoc/>
    public bool TryLockOwner(SafeFileHandle handle, out int error)
    {
        error = flock(handle, LockExclusive | LockNonBlocking) == 0 ? 0 : LastError();
        return error == 0;
    }

    /// <inheritdoc/>
    public void UnlockOwner(SafeFileHandle handle) => _ = flock(handle, LockRelease);

    /// <inheritdoc/>
    public int Unlink(string path) => unlink(path) == 0 ? 0 : LastError();

    /// <inheritdoc/>
    public void SyncDirectory(string directory)
    {
        using SafeFileHandle handle = OpenRaw(directory, Constants.CloseOnExec | Constants.Directory, out int error)
            ?? throw new IOException("cannot open directory \"" + directory + "\" for sync: errno " + error, error);
        FlushDirectory(handle, directory);
    }

    /// <summary>Flushes an open directory's entries to stable storage: plain <c>fsync</c> (never <c>fdatasync</c>, which may skip a directory whose size did not change).</summary>
    protected virtual void FlushDirectory(SafeFileHandle handle, string path)
    {
        if (!TryFsync(handle, out int error))
        {
            throw FlushFailed(path, error);
        }
    }

    /// <inheritdoc/>
    public abstract bool TryGetStatus(SafeFileHandle handle, out FileStatus status);

    /// <inheritdoc/>
    public virtual bool TryGetStatus(string path, out FileStatus status, out int error)
    {
        using SafeFileHandle? handle = OpenRaw(path, Constants.CloseOnExec, out error);
        if (handle is null)
        {
            status = default;
            return false;
        }

        return TryGetStatus(handle, out status);
    }

    /// <inheritdoc/>
    public virtual bool IsMemoryFileSystem(string directory) => false;

    /// <inheritdoc/>
    public int ToPortableError(int nativeError) => Constants.ToPortable(nativeError);

    /// <summary>
    /// libc's <c>open(path, flags, 0660)</c>: a file descriptor, or -1 with errno. <c>open</c> is variadic, and where the
    /// system passes variadic arguments unlike fixed ones (Apple's arm64) the declaration must say so.
    /// </summary>
    protected abstract int OpenDescriptor(string path, int flags);

    /// <summary>The last call's errno as a <see cref="FileErrors"/> code.</summary>
    protected int LastError() => Constants.ToPortable(Marshal.GetLastPInvokeError());

    /// <summary>Plain <c>fsync(2)</c>; false with the portable error on failure.</summary>
    protected bool TryFsync(SafeFileHandle handle, out int error)
    {
        error = fsync(handle) == 0 ? 0 : LastError();
        return error == 0;
    }

    /// <summary>Throws the <see cref="IOException"/> of a failed flush.</summary>
    protected static IOException FlushFailed(string path, int error) => new("cannot sync \"" + path + "\": errno " + error, error);

    private SafeFileHandle? OpenRaw(string path, int flags, out int error)
    {
        int fd = OpenDescriptor(path, flags);
        if (fd < 0)
        {
            error = LastError();
            return null;
        }

        error = 0;
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int rename(string from, string to);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int link(string existing, string newPath);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int unlink(string path);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int flock(SafeFileHandle fd, int operation);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(SafeFileHandle fd);
}
