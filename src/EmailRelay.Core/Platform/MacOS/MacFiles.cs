using System.Runtime.InteropServices;
using EmailRelay.Platform.Unix;
using Microsoft.Win32.SafeHandles;

namespace EmailRelay.Platform.MacOS;

/// <summary>
/// macOS: its own <c>open</c> flag and errno values (Linux's <c>O_CREAT</c>, 0x40, is macOS's <c>O_ASYNC</c>);
/// <c>fcntl(F_FULLFSYNC)</c> to flush files and directories, because plain <c>fsync</c> on macOS leaves the data in the
/// drive's volatile cache (plain <c>fsync</c> only where the file system refuses <c>F_FULLFSYNC</c>, as network file
/// systems do); <c>renameatx_np(RENAME_EXCL)</c> for the no-replace rename; <c>flock</c> owner locks; <c>fstat</c> for
/// file status. Written from Apple's headers (sys/fcntl.h, sys/errno.h, sys/stdio.h, sys/stat.h); the values are
/// checked by unit tests, since macOS cannot run in this project's CI.
/// </summary>
internal sealed partial class MacFiles : UnixFiles
{
    /// <summary><c>F_FULLFSYNC</c> (sys/fcntl.h).</summary>
    public const int FullFsync = 51;

    /// <summary><c>RENAME_SWAP</c> (sys/stdio.h).</summary>
    public const uint RenameSwap = 0x2;

    /// <summary><c>RENAME_EXCL</c> (sys/stdio.h).</summary>
    public const uint RenameExclusive = 0x4;

    /// <summary>macOS's values (the same on arm64 and x64).</summary>
    public static UnixConstants MacConstants { get; } = new()
    {
        WriteOnly = 1,
        ReadWrite = 2,
        Create = 0x200,
        Exclusive = 0x800,
        Truncate = 0x400,
        CloseOnExec = 0x1000000,
        Directory = 0x100000,
        AtCurrentDirectory = -2,
        Errors = new Dictionary<int, int>
        {
            [FileErrors.EPERM] = 1, [FileErrors.ENOENT] = 2, [FileErrors.EIO] = 5, [FileErrors.EWOULDBLOCK] = 35,
            [FileErrors.EACCES] = 13, [FileErrors.EEXIST] = 17, [FileErrors.EXDEV] = 18, [FileErrors.EINVAL] = 22,
            [FileErrors.ENOSPC] = 28, [FileErrors.EROFS] = 30, [FileErrors.ENOSYS] = 78, [FileErrors.EOPNOTSUPP] = 45,
            [FileErrors.EDQUOT] = 69,
        },
    };

    /// <summary>The offsets of <c>struct stat</c> (64-bit inodes, the only layout on arm64): st_dev i32 at 0, st_nlink u16 at 6, st_ino u64 at 8, st_uid u32 at 16, st_size i64 at 96; 144 bytes.</summary>
    public static (int Device, int Links, int Inode, int Owner, int Size, int Length) StatLayout => (0, 6, 8, 16, 96, 144);

    /// <inheritdoc/>
    public override UnixConstants Constants => MacConstants;

    /// <inheritdoc/>
    public override void Flush(SafeFileHandle handle, string path) => FullFlush(handle, path);

    /// <inheritdoc/>
    public override int RenameNoReplace(string from, string to) =>
        renameatx_np(Constants.AtCurrentDirectory, from, Constants.AtCurrentDirectory, to, RenameExclusive) == 0 ? 0 : LastError();

    /// <inheritdoc/>
    public override bool TryGetStatus(SafeFileHandle handle, out FileStatus status)
    {
        Span<byte> stat = stackalloc byte[256];
        if (fstat(handle, ref MemoryMarshal.GetReference(stat)) != 0)
        {
            status = default;
            return false;
        }

        status = FromStat(stat);
        return true;
    }

    /// <summary>The fields of a macOS <c>struct stat</c> (<see cref="StatLayout"/>).</summary>
    internal static FileStatus FromStat(ReadOnlySpan<byte> b)
    {
        var layout = StatLayout;
        return new FileStatus(
            BitConverter.ToUInt32(b[layout.Device..]),
            BitConverter.ToUInt64(b[layout.Inode..]),
            BitConverter.ToUInt16(b[layout.Links..]),
            BitConverter.ToInt64(b[layout.Size..]),
            BitConverter.ToUInt32(b[layout.Owner..]));
    }

    /// <inheritdoc/>
    protected override void FlushDirectory(SafeFileHandle handle, string path) => FullFlush(handle, path);

    /// <summary>
    /// <c>open(path, flags, 0660)</c>. <c>open</c> is variadic, and Apple's arm64 passes variadic arguments on the
    /// stack, not in registers: the declaration fills the eight argument registers so that the mode is the first
    /// stack slot, and also passes it third, where x64 reads it.
    /// </summary>
    protected override int OpenDescriptor(string path, int flags) => open(path, flags, Mode0660, 0, 0, 0, 0, 0, Mode0660);

    private void FullFlush(SafeFileHandle handle, string path)
    {
        if (fcntl(handle, FullFsync) == 0)
        {
            return;
        }

        int error = LastError();
        if (error is not (FileErrors.EINVAL or FileErrors.EOPNOTSUPP or FileErrors.ENOSYS) || !TryFsync(handle, out error))
        {
            throw FlushFailed(path, error);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags, nint mode, nint x3, nint x4, nint x5, nint x6, nint x7, nint variadicMode);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fcntl(SafeFileHandle fd, int command);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int renameatx_np(int fromDirectory, string from, int toDirectory, string to, uint flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fstat(SafeFileHandle fd, ref byte buffer);
}
