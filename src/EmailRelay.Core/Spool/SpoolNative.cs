using EmailRelay.Platform;
using EmailRelay.Platform.Linux;
using Microsoft.Win32.SafeHandles;

namespace EmailRelay.Spool;

/// <summary>
/// The spool's file calls, in the shape its types use them: a thin facade over this system's
/// <see cref="IFilePlatform"/> (<see cref="FilePlatform.Current"/>). Errors are <see cref="FileErrors"/> codes
/// (Linux's errno numbers on every system).
/// </summary>
internal static partial class SpoolNative
{
    public const int ENOENT = FileErrors.ENOENT;
    public const int EEXIST = FileErrors.EEXIST;
    public const int EWOULDBLOCK = FileErrors.EWOULDBLOCK;
    public const int ENOSPC = FileErrors.ENOSPC;
    public const int EDQUOT = FileErrors.EDQUOT;
    public const int ENOSYS = FileErrors.ENOSYS;
    public const int EPERM = FileErrors.EPERM;
    public const int EACCES = FileErrors.EACCES;
    public const int EXDEV = FileErrors.EXDEV;
    public const int EINVAL = FileErrors.EINVAL;
    public const int EROFS = FileErrors.EROFS;

    private static IFilePlatform Files => FilePlatform.Current;

    /// <summary>The Linux layer when running on Linux (the free-file pool's extra calls); null elsewhere.</summary>
    private static LinuxFiles? Linux => Files as LinuxFiles;

    /// <summary>Opens (optionally creating, optionally exclusively) a file read-write; null with errno on failure.</summary>
    public static SafeFileHandle? OpenReadWrite(string path, bool create, bool exclusive, out int errno) =>
        Files.Open(path, FileOpenMode.ReadWrite | (create ? FileOpenMode.Create : 0) | (exclusive ? FileOpenMode.Exclusive : 0), out errno);

    /// <summary>
    /// Opens a spool file for writing, 0660 (umask permitting): created exclusively (<paramref name="exclusive"/>,
    /// EEXIST if it exists) or created/truncated. Null with errno on failure.
    /// </summary>
    public static SafeFileHandle? OpenForWriting(string path, bool exclusive, out int errno) =>
        Files.Open(path, FileOpenMode.Write | FileOpenMode.Create | (exclusive ? FileOpenMode.Exclusive : FileOpenMode.Truncate), out errno);

    /// <summary>Renames within the spool, atomically replacing <paramref name="to"/>. Returns 0 or the errno (ENOENT when <paramref name="from"/> is gone).</summary>
    public static int Rename(string from, string to) => Files.Rename(from, to);

    /// <summary>Renames without replacing: 0, or the errno (EEXIST when <paramref name="to"/> exists; EINVAL or ENOSYS where the file system or system cannot).</summary>
    public static int RenameNoReplace(string from, string to) => Files.RenameNoReplace(from, to);

    /// <summary>True if <paramref name="directory"/> is on tmpfs or ramfs, where a flush is a no-op; false when unknown.</summary>
    public static bool IsMemoryFileSystem(string directory) => Files.IsMemoryFileSystem(directory);

    /// <summary>Flushes a file's data, and the metadata needed to read it back, to stable storage (<see cref="IFilePlatform.Flush"/>).</summary>
    public static void SyncData(SafeFileHandle handle, string path) => Files.Flush(handle, path);

    /// <summary>Makes the directory's renames and creations durable (<see cref="IFilePlatform.SyncDirectory"/>).</summary>
    public static void SyncDirectory(string path) => Files.SyncDirectory(path);

    /// <summary>Writes out <paramref name="stream"/>'s buffer and then flushes its file as <see cref="SyncData(SafeFileHandle, string)"/> does.</summary>
    public static void SyncData(FileStream stream)
    {
        stream.Flush();
        Files.Flush(stream.SafeFileHandle, stream.Name);
    }

    /// <summary>Tries the exclusive owner lock without waiting; false (EWOULDBLOCK) if another open file holds it.</summary>
    public static bool TryLockExclusive(SafeFileHandle handle, out int errno) => Files.TryLockOwner(handle, out errno);

    /// <summary>Releases the owner lock (closing the last handle releases it too).</summary>
    public static void Unlock(SafeFileHandle handle) => Files.UnlockOwner(handle);

    /// <summary>Renames <paramref name="from"/> to <paramref name="to"/>, replacing it; false with errno on failure.</summary>
    public static bool TryRename(string from, string to, out int errno)
    {
        errno = Rename(from, to);
        return errno == 0;
    }

    /// <summary>Removes a file; false with errno on failure (<see cref="ENOENT"/> if it is already gone).</summary>
    public static bool TryUnlink(string path, out int errno)
    {
        errno = Files.Unlink(path);
        return errno == 0;
    }

    /// <summary>Opens a file read-only (no advisory lock); null with errno on failure.</summary>
    public static SafeFileHandle? OpenReadOnly(string path, out int errno) => Files.Open(path, FileOpenMode.Read, out errno);

    /// <summary>Hard-links <paramref name="existing"/> as <paramref name="newPath"/>: 0 or the errno.</summary>
    public static int Link(string existing, string newPath) => Files.Link(existing, newPath);

    /// <summary>Whether <paramref name="handle"/>'s file is the one named <paramref name="path"/> (same device and inode).</summary>
    public static bool IsNamedBy(SafeFileHandle handle, string path) =>
        TryStat(handle, out FileStatus open) && TryStat(path, out FileStatus named) &&
        open.Device == named.Device && open.Inode == named.Inode;

    /// <summary>Status of an open file; false if it cannot tell.</summary>
    public static bool TryStat(SafeFileHandle handle, out FileStatus status)
    {
        bool ok = Files.TryGetStatus(handle, out var s);
        status = new FileStatus(s.Device, s.Inode, s.Links, s.Size, s.Owner);
        return ok;
    }

    /// <summary>Status of a path (not following a final symbolic link where the system can); false with errno if it cannot.</summary>
    public static bool TryStat(string path, out FileStatus status, out int errno)
    {
        bool ok = Files.TryGetStatus(path, out var s, out errno);
        status = new FileStatus(s.Device, s.Inode, s.Links, s.Size, s.Owner);
        return ok;
    }

    /// <summary>Status of a path; false if it cannot.</summary>
    public static bool TryStat(string path, out FileStatus status) => TryStat(path, out status, out _);

    /// <summary>Truncates the file named <paramref name="path"/>: 0 or the errno. Linux only (the free-file pool's); ENOSYS elsewhere.</summary>
    public static int Truncate(string path, long length) => Linux?.Truncate(path, length) ?? ENOSYS;

    /// <summary>Makes a directory with mode 0770 (umask permitting): 0 or the errno (EEXIST if it exists). Linux only; ENOSYS elsewhere.</summary>
    public static int MakeDirectory(string path) => Linux?.MakeDirectory(path) ?? ENOSYS;

    /// <summary>Swaps two names atomically: 0, or the errno (EINVAL or ENOSYS where the file system or system cannot).</summary>
    public static int RenameExchange(string a, string b) => Linux?.RenameExchange(a, b) ?? ENOSYS;

    /// <summary>The few file status fields the spool reads (<see cref="Platform.FileStatus"/>).</summary>
    internal readonly record struct FileStatus(ulong Device, ulong Inode, uint Links, long Size, uint Owner);
}
