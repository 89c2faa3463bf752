using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace EmailRelay.Platform.Windows;

/// <summary>
/// Windows (and Wine): .NET's own calls where they do the job, kernel32 where they do not; never libc.
/// <list type="bullet">
/// <item>Open: <see cref="File.OpenHandle"/> with a share mode of read, write and delete, so other handles may read,
/// rename and delete the file as on POSIX.</item>
/// <item>Flush: <see cref="RandomAccess.FlushToDisk"/>, which is <c>FlushFileBuffers</c> (data, metadata and the drive's
/// cache).</item>
/// <item>Renames: <c>MoveFileExW</c> with <c>MOVEFILE_WRITE_THROUGH</c>, which returns only when the rename is on disk, with
/// <c>MOVEFILE_REPLACE_EXISTING</c> for the replacing one; an atomic rename on NTFS either way.</item>
/// <item>Hard links: <c>CreateHardLinkW</c>. Unlink: <c>DeleteFileW</c>.</item>
/// <item>Owner locks: <c>LockFileEx</c> exclusive and fail-immediately on one byte far beyond any content (<see cref="LockOffset"/>),
/// so the lock never stops anyone reading the file; Windows drops it when the handle closes or the process dies.</item>
/// <item>Directory sync: none. NTFS journals its metadata in order, and <c>MOVEFILE_WRITE_THROUGH</c> makes each commit
/// rename durable before it returns.</item>
/// <item>Status: <c>GetFileInformationByHandle</c> (volume serial number and file index as identity, link count, size).</item>
/// </list>
/// </summary>
internal sealed partial class WindowsFiles : IFilePlatform
{
    /// <summary><c>MOVEFILE_REPLACE_EXISTING</c>.</summary>
    public const uint MoveReplaceExisting = 0x1;

    /// <summary><c>MOVEFILE_WRITE_THROUGH</c>.</summary>
    public const uint MoveWriteThrough = 0x8;

    /// <summary><c>LOCKFILE_FAIL_IMMEDIATELY</c>.</summary>
    public const uint LockFailImmediately = 0x1;

    /// <summary><c>LOCKFILE_EXCLUSIVE_LOCK</c>.</summary>
    public const uint LockExclusive = 0x2;

    /// <summary>The byte the owner lock locks: far beyond any lock file's content, so reads are never refused.</summary>
    public const long LockOffset = 0x7FFF_FFFF_0000_0000;

    /// <summary>The Win32 error codes the spool tells apart, as <see cref="FileErrors"/> codes.</summary>
    public static IReadOnlyDictionary<int, int> Errors { get; } = new Dictionary<int, int>
    {
        [1] = FileErrors.ENOSYS, // ERROR_INVALID_FUNCTION
        [2] = FileErrors.ENOENT, // ERROR_FILE_NOT_FOUND
        [3] = FileErrors.ENOENT, // ERROR_PATH_NOT_FOUND
        [5] = FileErrors.EACCES, // ERROR_ACCESS_DENIED
        [17] = FileErrors.EXDEV, // ERROR_NOT_SAME_DEVICE
        [19] = FileErrors.EROFS, // ERROR_WRITE_PROTECT
        [32] = FileErrors.EWOULDBLOCK, // ERROR_SHARING_VIOLATION
        [33] = FileErrors.EWOULDBLOCK, // ERROR_LOCK_VIOLATION
        [39] = FileErrors.ENOSPC, // ERROR_HANDLE_DISK_FULL
        [50] = FileErrors.EOPNOTSUPP, // ERROR_NOT_SUPPORTED
        [80] = FileErrors.EEXIST, // ERROR_FILE_EXISTS
        [87] = FileErrors.EINVAL, // ERROR_INVALID_PARAMETER
        [112] = FileErrors.ENOSPC, // ERROR_DISK_FULL
        [183] = FileErrors.EEXIST, // ERROR_ALREADY_EXISTS
        [303] = FileErrors.ENOENT, // ERROR_DELETE_PENDING: the name is going
        [1295] = FileErrors.EDQUOT, // ERROR_DISK_QUOTA_EXCEEDED
    };

    /// <summary>The <see cref="FileErrors"/> code of a Win32 error (<see cref="FileErrors.EIO"/> for one without a code; 0 stays 0).</summary>
    public static int FromWin32(int error) => error == 0 ? 0 : Errors.TryGetValue(error, out int code) ? code : FileErrors.EIO;

    /// <summary>The <see cref="FileMode"/> and <see cref="FileAccess"/> of <paramref name="mode"/>.</summary>
    public static (FileMode Mode, FileAccess Access) OpenArguments(FileOpenMode mode)
    {
        FileAccess access = (mode & (FileOpenMode.Write | FileOpenMode.ReadWrite)) switch
        {
            FileOpenMode.Write => FileAccess.Write,
            FileOpenMode.ReadWrite => FileAccess.ReadWrite,
            _ => FileAccess.Read,
        };
        bool create = mode.HasFlag(FileOpenMode.Create);
        bool truncate = mode.HasFlag(FileOpenMode.Truncate);
        FileMode fileMode = (create, mode.HasFlag(FileOpenMode.Exclusive), truncate) switch
        {
            (true, true, _) => FileMode.CreateNew,
            (true, false, true) => FileMode.Create,
            (true, false, false) => FileMode.OpenOrCreate,
            (false, _, true) => FileMode.Truncate,
            _ => FileMode.Open,
        };
        return (fileMode, access);
    }

    /// <inheritdoc/>
    public SafeFileHandle? Open(string path, FileOpenMode mode, out int error)
    {
        var (fileMode, access) = OpenArguments(mode);
        try
        {
            error = 0;
            return File.OpenHandle(path, fileMode, access, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            error = ErrorOf(exception);
            return null;
        }
    }

    /// <inheritdoc/>
    public void Flush(SafeFileHandle handle, string path) => RandomAccess.FlushToDisk(handle);

    /// <inheritdoc/>
    public int RenameNoReplace(string from, string to) => Call(MoveFileExW(from, to, MoveWriteThrough));

    /// <inheritdoc/>
    public int Rename(string from, string to) => Call(MoveFileExW(from, to, MoveReplaceExisting | MoveWriteThrough));

    /// <inheritdoc/>
    public int Link(string existing, string newPath) => Call(CreateHardLinkW(newPath, existing, 0));

    /// <inheritdoc/>
    public bool TryLockOwner(SafeFileHandle handle, out int error)
    {
        var overlapped = new Overlapped { Offset = unchecked((uint)LockOffset), OffsetHigh = (uint)(LockOffset >> 32) };
        error = Call(LockFileEx(handle, LockExclusive | LockFailImmediately, 0, 1, 0, ref overlapped));
        return error == 0;
    }

    /// <inheritdoc/>
    public void UnlockOwner(SafeFileHandle handle)
    {
        var overlapped = new Overlapped { Offset = unchecked((uint)LockOffset), OffsetHigh = (uint)(LockOffset >> 32) };
        _ = UnlockFileEx(handle, 0, 1, 0, ref overlapped);
    }

    /// <inheritdoc/>
    public int Unlink(string path) => Call(DeleteFileW(path));

    /// <inheritdoc/>
    public void SyncDirectory(string directory)
    {
        // NTFS journals metadata in order and every commit rename is MOVEFILE_WRITE_THROUGH: nothing to do.
    }

    /// <inheritdoc/>
    public bool TryGetStatus(SafeFileHandle handle, out FileStatus status)
    {
        Span<byte> info = stackalloc byte[FileInformationLength];
        if (!GetFileInformationByHandle(handle, ref MemoryMarshal.GetReference(info)))
        {
            status = default;
            return false;
        }

        status = FromFileInformation(info);
        return true;
    }

    /// <inheritdoc/>
    public bool TryGetStatus(string path, out FileStatus status, out int error)
    {
        using SafeFileHandle? handle = Open(path, FileOpenMode.Read, out error);
        status = default;
        return handle is not null && TryGetStatus(handle, out status);
    }

    /// <inheritdoc/>
    public bool IsMemoryFileSystem(string directory) => false;

    /// <inheritdoc/>
    public int ToPortableError(int nativeError) => FromWin32(nativeError & 0xFFFF);

    /// <summary>
    /// <c>BY_HANDLE_FILE_INFORMATION</c>'s fields: dwVolumeSerialNumber at 28, nFileSizeHigh at 32, nFileSizeLow at 36,
    /// nNumberOfLinks at 40, nFileIndexHigh at 44, nFileIndexLow at 48; 52 bytes.
    /// </summary>
    internal static FileStatus FromFileInformation(ReadOnlySpan<byte> b) => new(
        BitConverter.ToUInt32(b[28..]),
        ((ulong)BitConverter.ToUInt32(b[44..]) << 32) | BitConverter.ToUInt32(b[48..]),
        BitConverter.ToUInt32(b[40..]),
        (long)(((ulong)BitConverter.ToUInt32(b[32..]) << 32) | BitConverter.ToUInt32(b[36..])),
        0);

    /// <summary>The size of <c>BY_HANDLE_FILE_INFORMATION</c>.</summary>
    internal const int FileInformationLength = 52;

    private static int ErrorOf(Exception exception) => exception switch
    {
        FileNotFoundException or DirectoryNotFoundException => FileErrors.ENOENT,
        _ when (exception.HResult >>> 16) == 0x8007 => FromWin32(exception.HResult & 0xFFFF),
        UnauthorizedAccessException => FileErrors.EACCES,
        _ => FileErrors.EIO,
    };

    private static int Call(bool succeeded) => succeeded ? 0 : FromWin32(Marshal.GetLastPInvokeError());

    [LibraryImport("kernel32.dll", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool MoveFileExW(string existing, string newName, uint flags);

    [LibraryImport("kernel32.dll", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool CreateHardLinkW(string newName, string existing, nint securityAttributes);

    [LibraryImport("kernel32.dll", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool DeleteFileW(string path);

    [LibraryImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool LockFileEx(SafeFileHandle file, uint flags, uint reserved, uint lengthLow, uint lengthHigh, ref Overlapped overlapped);

    [LibraryImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool UnlockFileEx(SafeFileHandle file, uint reserved, uint lengthLow, uint lengthHigh, ref Overlapped overlapped);

    [LibraryImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool GetFileInformationByHandle(SafeFileHandle file, ref byte information);

    /// <summary>Win32 <c>OVERLAPPED</c> (only its offset is used: the start of the locked range).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Overlapped
    {
        public nint Internal;
        public nint InternalHigh;
        public uint Offset;
        public uint OffsetHigh;
        public nint Event;
    }
}
