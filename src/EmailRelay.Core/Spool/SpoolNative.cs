using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace EmailRelay.Spool;

/// <summary>
/// The few libc calls the spool needs that .NET does not expose: <c>open</c> (exclusive create and
/// directory handles), <c>flock</c> and <c>fsync</c>. Linux flag values (x64 and arm64 share them
/// except <c>O_DIRECTORY</c>). Errors come back as errno through <see cref="Marshal.GetLastPInvokeError"/>.
/// </summary>
internal static partial class SpoolNative
{
    public const int ENOENT = 2;
    public const int EEXIST = 17;
    public const int EWOULDBLOCK = 11;
    public const int ENOSPC = 28;
    public const int EDQUOT = 122;

    private const int O_RDONLY = 0;
    private const int O_RDWR = 2;
    private const int O_CREAT = 0x40;
    private const int O_EXCL = 0x80;
    private const int O_CLOEXEC = 0x80000;
    private const int LOCK_EX = 2;
    private const int LOCK_NB = 4;
    private const int LOCK_UN = 8;

    private static int ODirectory => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x4000 : 0x10000;

    /// <summary>Opens (optionally creating, optionally exclusively) a file read-write; null with errno on failure.</summary>
    public static SafeFileHandle? OpenReadWrite(string path, bool create, bool exclusive, out int errno)
    {
        int flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0) | (exclusive ? O_EXCL : 0);
        return Open(path, flags, out errno);
    }

    /// <summary>Fsyncs a directory, so that renames and creations in it are on stable storage.</summary>
    public static void SyncDirectory(string path)
    {
        using SafeFileHandle? handle = Open(path, O_RDONLY | O_CLOEXEC | ODirectory, out int errno);
        if (handle is null)
        {
            throw new IOException("cannot open directory \"" + path + "\" for sync: errno " + errno, errno);
        }

        if (fsync(handle) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            throw new IOException("cannot sync directory \"" + path + "\": errno " + errno, errno);
        }
    }

    /// <summary>
    /// Flushes a file's data, and the metadata needed to read it back (its size and block
    /// allocation), to stable storage: <c>fdatasync(2)</c>. That is all a new spool file needs; its
    /// name is made durable by the directory fsync after the commit rename, and its timestamps do not
    /// matter. Elsewhere than Linux, a full fsync.
    /// </summary>
    public static void SyncData(FileStream stream)
    {
        if (!OperatingSystem.IsLinux())
        {
            stream.Flush(flushToDisk: true);
            return;
        }

        stream.Flush();
        if (fdatasync(stream.SafeFileHandle) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException("cannot sync \"" + stream.Name + "\": errno " + errno, errno);
        }
    }

    /// <summary>Tries an exclusive non-blocking <c>flock</c>; false if another open file description holds it.</summary>
    public static bool TryLockExclusive(SafeFileHandle handle, out int errno)
    {
        if (flock(handle, LOCK_EX | LOCK_NB) == 0)
        {
            errno = 0;
            return true;
        }

        errno = Marshal.GetLastPInvokeError();
        return false;
    }

    /// <summary>Releases a <c>flock</c> (closing the last descriptor releases it too).</summary>
    public static void Unlock(SafeFileHandle handle) => _ = flock(handle, LOCK_UN);

    private static SafeFileHandle? Open(string path, int flags, out int errno)
    {
        // 0660: E-MailRelay compat (message files are group read-write), umask permitting.
        int fd = open(path, flags, 0x1B0);
        if (fd < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }

        errno = 0;
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int flock(SafeFileHandle fd, int operation);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(SafeFileHandle fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fdatasync(SafeFileHandle fd);
}
