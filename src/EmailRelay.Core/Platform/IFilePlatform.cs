using Microsoft.Win32.SafeHandles;

namespace EmailRelay.Platform;

/// <summary>
/// The file primitives the spool is built on, one implementation per operating system (<see cref="FilePlatform.Current"/>).
/// Errors come back as <see cref="FileErrors"/> codes (Linux's errno numbering on every system: each implementation
/// translates its own), 0 meaning success; only a failed flush or directory sync throws, since nothing can go on
/// after it. How each system keeps the durability promises is in <c>README.md</c> next to this file.
/// </summary>
internal interface IFilePlatform
{
    /// <summary>
    /// Opens, and with <see cref="FileOpenMode.Create"/> creates (mode 0660 where there are modes, umask permitting),
    /// a file. Any handle it returns lets other handles read, write, rename and delete the file (a Windows share mode of
    /// read, write and delete), as POSIX does. Null with the error on failure (<see cref="FileErrors.EEXIST"/> for an
    /// exclusive create of an existing name, <see cref="FileErrors.ENOENT"/> for a missing one).
    /// </summary>
    SafeFileHandle? Open(string path, FileOpenMode mode, out int error);

    /// <summary>
    /// Flushes the file's data, and the metadata needed to read it back, to stable storage (not only to the drive's
    /// cache). Throws <see cref="IOException"/> on failure.
    /// </summary>
    void Flush(SafeFileHandle handle, string path);

    /// <summary>Renames atomically, failing with <see cref="FileErrors.EEXIST"/> if <paramref name="to"/> exists; <see cref="FileErrors.ENOSYS"/> or <see cref="FileErrors.EINVAL"/> where the system cannot.</summary>
    int RenameNoReplace(string from, string to);

    /// <summary>Renames atomically, replacing <paramref name="to"/> (<see cref="FileErrors.ENOENT"/> when <paramref name="from"/> is gone).</summary>
    int Rename(string from, string to);

    /// <summary>Makes <paramref name="newPath"/> a hard link of <paramref name="existing"/>.</summary>
    int Link(string existing, string newPath);

    /// <summary>
    /// Takes the owner lock of an open file without waiting: exclusive among all open handles of the file, in this
    /// process or any other, and dropped by the system when the handle is closed or its process dies. False with
    /// <see cref="FileErrors.EWOULDBLOCK"/> if another handle holds it. It does not stop anyone reading or writing
    /// the file's bytes.
    /// </summary>
    bool TryLockOwner(SafeFileHandle handle, out int error);

    /// <summary>Releases <see cref="TryLockOwner"/>'s lock (closing the handle releases it too).</summary>
    void UnlockOwner(SafeFileHandle handle);

    /// <summary>Removes a name (<see cref="FileErrors.ENOENT"/> if it is already gone). Open handles keep working.</summary>
    int Unlink(string path);

    /// <summary>
    /// Makes the names created, renamed and removed in <paramref name="directory"/> so far durable. Throws
    /// <see cref="IOException"/> on failure. A no-op where the file system journals its metadata in order (NTFS).
    /// </summary>
    void SyncDirectory(string directory);

    /// <summary>Identity, link count and size of an open file; false if the system cannot tell.</summary>
    bool TryGetStatus(SafeFileHandle handle, out FileStatus status);

    /// <summary>The same for a name (not following a final symbolic link where the system can); false with the error if it cannot.</summary>
    bool TryGetStatus(string path, out FileStatus status, out int error);

    /// <summary>True if <paramref name="directory"/> lives only in memory (tmpfs), where flushing is a no-op; false when unknown.</summary>
    bool IsMemoryFileSystem(string directory);

    /// <summary>The <see cref="FileErrors"/> code of an error number of this system (as .NET puts it in an <see cref="IOException"/>'s HResult); 0 if it has none.</summary>
    int ToPortableError(int nativeError);
}
