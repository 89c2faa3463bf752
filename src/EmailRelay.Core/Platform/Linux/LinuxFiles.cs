using System.Runtime.InteropServices;
using EmailRelay.Platform.Unix;
using Microsoft.Win32.SafeHandles;

namespace EmailRelay.Platform.Linux;

/// <summary>
/// Linux: <c>fdatasync</c> to flush (the data and the size that reads it back; the name is made durable by the directory
/// fsync after the rename that commits it), <c>fsync</c> of the directory, <c>renameat2(RENAME_NOREPLACE)</c>, <c>flock</c>
/// owner locks, <c>statx</c> for file status (with <c>fstat</c> where <c>statx</c> is missing: kernels before 4.11,
/// some container sandboxes), <c>statfs</c> to recognise tmpfs. Also the calls only the free-file pool uses.
/// </summary>
internal sealed partial class LinuxFiles : UnixFiles
{
    private const uint RenameNoReplaceFlag = 1;
    private const uint RenameExchangeFlag = 2;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasic = 0x7ff;
    private const long TmpfsMagic = 0x01021994;
    private const long RamfsMagic = 0x858458f6;

    private readonly bool _useStatx;

    /// <summary>Creates the layer. <paramref name="useStatx"/> false takes the <c>fstat</c> path that kernels without <c>statx</c> take (tests).</summary>
    public LinuxFiles(bool useStatx = true) => _useStatx = useStatx;

    /// <summary>Linux's values (x64 and arm64 share them but for <c>O_DIRECTORY</c>).</summary>
    public static UnixConstants ConstantsFor(Architecture architecture) => new()
    {
        WriteOnly = 1,
        ReadWrite = 2,
        Create = 0x40,
        Exclusive = 0x80,
        Truncate = 0x200,
        CloseOnExec = 0x80000,
        Directory = architecture is Architecture.Arm64 or Architecture.Arm ? 0x4000 : 0x10000,
        AtCurrentDirectory = -100,
        Errors = new Dictionary<int, int>
        {
            [FileErrors.EPERM] = 1, [FileErrors.ENOENT] = 2, [FileErrors.EIO] = 5, [FileErrors.EWOULDBLOCK] = 11,
            [FileErrors.EACCES] = 13, [FileErrors.EEXIST] = 17, [FileErrors.EXDEV] = 18, [FileErrors.EINVAL] = 22,
            [FileErrors.ENOSPC] = 28, [FileErrors.EROFS] = 30, [FileErrors.ENOSYS] = 38, [FileErrors.EOPNOTSUPP] = 95,
            [FileErrors.EDQUOT] = 122,
        },
    };

    /// <inheritdoc/>
    public override UnixConstants Constants { get; } = ConstantsFor(RuntimeInformation.ProcessArchitecture);

    /// <summary>The offsets of <c>struct stat</c>'s fields, which differ between x64 and the generic layout of arm64.</summary>
    public static (int Device, int Inode, int Links, int LinksSize, int Owner, int Size) StatLayoutFor(Architecture architecture) =>
        architecture is Architecture.X64
            ? (0, 8, 16, 8, 28, 48)
            : (0, 8, 20, 4, 24, 48);

    /// <inheritdoc/>
    public override void Flush(SafeFileHandle handle, string path)
    {
        if (fdatasync(handle) != 0)
        {
            throw FlushFailed(path, LastError());
        }
    }

    /// <inheritdoc/>
    public override int RenameNoReplace(string from, string to) =>
        renameat2(Constants.AtCurrentDirectory, from, Constants.AtCurrentDirectory, to, RenameNoReplaceFlag) == 0 ? 0 : LastError();

    /// <summary>Swaps two names atomically (<c>renameat2(RENAME_EXCHANGE)</c>): 0 or the error.</summary>
    public int RenameExchange(string a, string b) =>
        renameat2(Constants.AtCurrentDirectory, a, Constants.AtCurrentDirectory, b, RenameExchangeFlag) == 0 ? 0 : LastError();

    /// <summary><c>truncate(2)</c>: 0 or the error.</summary>
    public int Truncate(string path, long length) => truncate(path, length) == 0 ? 0 : LastError();

    /// <summary><c>mkdir(2)</c> with mode 0770 (umask permitting): 0 or the error (EEXIST if it exists).</summary>
    public int MakeDirectory(string path) => mkdir(path, 0x1F8) == 0 ? 0 : LastError();

    /// <inheritdoc/>
    public override bool TryGetStatus(SafeFileHandle handle, out FileStatus status)
    {
        if (_useStatx)
        {
            Span<uint> buffer = stackalloc uint[64];
            if (statx(handle, "", AtEmptyPath, StatxBasic, ref MemoryMarshal.GetReference(buffer)) == 0)
            {
                status = FromStatx(buffer);
                return true;
            }

            if (Marshal.GetLastPInvokeError() != Constants.Errors[FileErrors.ENOSYS])
            {
                status = default;
                return false;
            }
        }

        Span<byte> stat = stackalloc byte[256];
        if (fstat(handle, ref MemoryMarshal.GetReference(stat)) != 0)
        {
            status = default;
            return false;
        }

        status = FromStat(stat, RuntimeInformation.ProcessArchitecture);
        return true;
    }

    /// <inheritdoc/>
    public override bool TryGetStatus(string path, out FileStatus status, out int error)
    {
        if (!_useStatx)
        {
            return base.TryGetStatus(path, out status, out error);
        }

        Span<uint> buffer = stackalloc uint[64];
        if (statxPath(Constants.AtCurrentDirectory, path, AtSymlinkNoFollow, StatxBasic, ref MemoryMarshal.GetReference(buffer)) != 0)
        {
            status = default;
            error = LastError();
            return error == FileErrors.ENOSYS ? base.TryGetStatus(path, out status, out error) : false;
        }

        status = FromStatx(buffer);
        error = 0;
        return true;
    }

    /// <inheritdoc/>
    public override bool IsMemoryFileSystem(string directory)
    {
        // struct statfs starts with the long f_type on 64-bit Linux (120 bytes in all; more room is harmless).
        Span<long> buffer = stackalloc long[32];
        if (statfs(directory, ref MemoryMarshal.GetReference(buffer)) != 0)
        {
            return false;
        }

        long type = IntPtr.Size == 8 ? buffer[0] : (uint)buffer[0];
        return type is TmpfsMagic or RamfsMagic;
    }

    /// <summary>
    /// The fields of a <c>struct statx</c> (the same on every architecture): stx_nlink u32 at 16, stx_uid u32 at 20,
    /// stx_ino u64 at 32, stx_size u64 at 40, stx_dev_major u32 at 136, stx_dev_minor u32 at 140. The device is
    /// encoded as <c>struct stat</c>'s <c>st_dev</c> (glibc's <c>makedev</c>), so both paths give the same identity.
    /// </summary>
    internal static FileStatus FromStatx(ReadOnlySpan<uint> b) => new(
        MakeDevice(b[34], b[35]),
        b[8] | ((ulong)b[9] << 32),
        b[4],
        (long)(b[10] | ((ulong)b[11] << 32)),
        b[5]);

    /// <summary>glibc's <c>makedev(major, minor)</c>.</summary>
    internal static ulong MakeDevice(ulong major, ulong minor) =>
        (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xffUL) << 12) | ((major & ~0xfffUL) << 32);

    /// <summary>The fields of a <c>struct stat</c> of <paramref name="architecture"/> (<see cref="StatLayoutFor"/>).</summary>
    internal static FileStatus FromStat(ReadOnlySpan<byte> b, Architecture architecture)
    {
        var layout = StatLayoutFor(architecture);
        ulong links = layout.LinksSize == 8
            ? BitConverter.ToUInt64(b[layout.Links..])
            : BitConverter.ToUInt32(b[layout.Links..]);
        return new FileStatus(
            BitConverter.ToUInt64(b[layout.Device..]),
            BitConverter.ToUInt64(b[layout.Inode..]),
            (uint)links,
            BitConverter.ToInt64(b[layout.Size..]),
            BitConverter.ToUInt32(b[layout.Owner..]));
    }

    /// <inheritdoc/>
    protected override int OpenDescriptor(string path, int flags) => open(path, flags, Mode0660);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int renameat2(int fromDirectory, string from, int toDirectory, string to, uint flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statfs(string path, ref long buffer);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(SafeFileHandle fd, string path, int flags, uint mask, ref uint buffer);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statxPath(int directory, string path, int flags, uint mask, ref uint buffer);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fstat(SafeFileHandle fd, ref byte buffer);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fdatasync(SafeFileHandle fd);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int truncate(string path, long length);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mkdir(string path, int mode);
}
