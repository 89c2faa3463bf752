using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace EmailRelay.Spool;

/// <summary>
/// The few libc calls the spool needs that .NET does not expose: <c>open</c> (exclusive create and
/// directory handles), <c>flock</c>, <c>fsync</c>, <c>rename</c> and <c>statfs</c>. Linux flag values (x64 and
/// arm64 share them except <c>O_DIRECTORY</c>). Errors come back as errno through <see cref="Marshal.GetLastPInvokeError"/>.
/// New message files are opened here rather than through <see cref="FileStream"/>, which adds an
/// <c>fstatfs</c>, an advisory <c>flock</c> and an <c>lseek</c> to every open (measured with strace: about
/// 8 system calls per message) that the spool does not need.
/// </summary>
internal static partial class SpoolNative
{
    public const int ENOENT = 2;
    public const int EEXIST = 17;
    public const int EWOULDBLOCK = 11;
    public const int ENOSPC = 28;
    public const int EDQUOT = 122;
    public const int ENOSYS = 38;
    public const int EPERM = 1;
    public const int EACCES = 13;
    public const int EXDEV = 18;
    public const int EINVAL = 22;
    public const int EROFS = 30;

    private const int O_RDONLY = 0;
    private const int O_WRONLY = 1;
    private const int O_RDWR = 2;
    private const int O_CREAT = 0x40;
    private const int O_EXCL = 0x80;
    private const int O_TRUNC = 0x200;
    private const int AtFdCwd = -100;
    private const uint RenameNoReplaceFlag = 1;
    private const long TmpfsMagic = 0x01021994;
    private const long RamfsMagic = 0x858458f6;
    private const int O_CLOEXEC = 0x80000;
    private const int LOCK_EX = 2;
    private const int LOCK_NB = 4;
    private const int LOCK_UN = 8;
    private const int AtEmptyPath = 0x1000;

    private static int ODirectory => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x4000 : 0x10000;

    /// <summary>Opens (optionally creating, optionally exclusively) a file read-write; null with errno on failure.</summary>
    public static SafeFileHandle? OpenReadWrite(string path, bool create, bool exclusive, out int errno)
    {
        int flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0) | (exclusive ? O_EXCL : 0);
        return Open(path, flags, out errno);
    }

    /// <summary>
    /// Opens a spool file for writing, 0660 (umask permitting): created exclusively (<paramref name="exclusive"/>,
    /// EEXIST if it exists) or created/truncated. Null with errno on failure. Elsewhere than Linux, .NET's own open.
    /// </summary>
    public static SafeFileHandle? OpenForWriting(string path, bool exclusive, out int errno)
    {
        if (!OperatingSystem.IsLinux())
        {
            errno = 0;
            FileMode mode = exclusive ? FileMode.CreateNew : FileMode.Create;
            try
            {
                SafeFileHandle handle = File.OpenHandle(path, mode, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(handle, FileSpool.FileMode0660);
                }

                return handle;
            }
            catch (IOException) when (exclusive && File.Exists(path))
            {
                errno = EEXIST;
                return null;
            }
        }

        return Open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (exclusive ? O_EXCL : O_TRUNC), out errno);
    }

    /// <summary>
    /// Renames within the spool (<c>rename(2)</c>: atomic, replacing <paramref name="to"/>). Returns 0 or the
    /// errno (ENOENT when <paramref name="from"/> is gone). Elsewhere than Linux, <see cref="File.Move(string, string, bool)"/>.
    /// </summary>
    public static int Rename(string from, string to)
    {
        if (!OperatingSystem.IsLinux())
        {
            try
            {
                File.Move(from, to, overwrite: true);
                return 0;
            }
            catch (FileNotFoundException)
            {
                return ENOENT;
            }
        }

        return rename(from, to) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>
    /// Renames without replacing (<c>renameat2(RENAME_NOREPLACE)</c>): 0, or the errno (EEXIST when <paramref name="to"/>
    /// exists; EINVAL or ENOSYS where the file system or kernel cannot). Elsewhere than Linux, ENOSYS.
    /// </summary>
    public static int RenameNoReplace(string from, string to)
    {
        if (!OperatingSystem.IsLinux())
        {
            return ENOSYS;
        }

        return renameat2(AtFdCwd, from, AtFdCwd, to, RenameNoReplaceFlag) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>
    /// True if <paramref name="directory"/> is on tmpfs or ramfs, where <c>fsync</c> is a no-op
    /// (the kernel's <c>noop_fsync</c>): the data lives in memory and survives exactly as long as the kernel.
    /// False when unknown or elsewhere than Linux.
    /// </summary>
    public static bool IsMemoryFileSystem(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        // struct statfs starts with the long f_type on 64-bit Linux (120 bytes in all; more room is harmless).
        Span<long> buffer = stackalloc long[32];
        if (statfs(directory, ref MemoryMarshal.GetReference(buffer)) != 0)
        {
            return false;
        }

        long type = IntPtr.Size == 8 ? buffer[0] : (uint)buffer[0];
        return type is TmpfsMagic or RamfsMagic;
    }

    /// <summary><c>fdatasync(2)</c> of a handle (see <see cref="SyncData(FileStream)"/>); elsewhere than Linux, a full flush.</summary>
    public static void SyncData(SafeFileHandle handle, string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            RandomAccess.FlushToDisk(handle);
            return;
        }

        if (fdatasync(handle) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException("cannot sync \"" + path + "\": errno " + errno, errno);
        }
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

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int rename(string from, string to);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int renameat2(int fromDirectory, string from, int toDirectory, string to, uint flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statfs(string path, ref long buffer);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(SafeFileHandle fd, string path, int flags, uint mask, ref uint buffer);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int flock(SafeFileHandle fd, int operation);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(SafeFileHandle fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fdatasync(SafeFileHandle fd);
}
