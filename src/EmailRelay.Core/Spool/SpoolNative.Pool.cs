using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace EmailRelay.Spool;

/// <summary>
/// The calls of the free-file pool (<see cref="FilePool"/>) and of <see cref="OwnerLock"/>'s name check: <c>statx</c>
/// of a path or an open file (device, inode, link count, size), <c>truncate</c>, <c>mkdir</c> and
/// <c>renameat2(RENAME_EXCHANGE)</c>. Linux only; elsewhere they report "cannot tell" and the pool stays off.
/// </summary>
internal static partial class SpoolNative
{
    private const uint RenameExchangeFlag = 2;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasic = 0x7ff;

    /// <summary>Whether <paramref name="handle"/>'s file is the one named <paramref name="path"/> (same device and inode). True elsewhere than Linux.</summary>
    public static bool IsNamedBy(SafeFileHandle handle, string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return true;
        }

        return TryStat(handle, out FileStatus open) && TryStat(path, out FileStatus named) &&
            open.Device == named.Device && open.Inode == named.Inode;
    }

    /// <summary><c>statx</c> of an open file; false if it cannot tell.</summary>
    public static bool TryStat(SafeFileHandle handle, out FileStatus status)
    {
        Span<uint> buffer = stackalloc uint[64];
        bool ok = OperatingSystem.IsLinux() && statx(handle, "", AtEmptyPath, StatxBasic, ref MemoryMarshal.GetReference(buffer)) == 0;
        status = ok ? FileStatus.From(buffer) : default;
        return ok;
    }

    /// <summary><c>statx</c> of a path (not following a final symbolic link); false with errno if it cannot.</summary>
    public static bool TryStat(string path, out FileStatus status, out int errno)
    {
        Span<uint> buffer = stackalloc uint[64];
        if (!OperatingSystem.IsLinux())
        {
            status = default;
            errno = ENOSYS;
            return false;
        }

        if (statxPath(AtFdCwd, path, AtSymlinkNoFollow, StatxBasic, ref MemoryMarshal.GetReference(buffer)) != 0)
        {
            status = default;
            errno = Marshal.GetLastPInvokeError();
            return false;
        }

        status = FileStatus.From(buffer);
        errno = 0;
        return true;
    }

    /// <summary><c>statx</c> of a path; false if it cannot.</summary>
    public static bool TryStat(string path, out FileStatus status) => TryStat(path, out status, out _);

    /// <summary><c>truncate(2)</c>: 0 or the errno.</summary>
    public static int Truncate(string path, long length) =>
        truncate(path, length) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary><c>mkdir(2)</c> with mode 0770 (umask permitting): 0 or the errno (EEXIST if it exists).</summary>
    public static int MakeDirectory(string path) =>
        mkdir(path, 0x1F8) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>
    /// Swaps two names atomically (<c>renameat2(RENAME_EXCHANGE)</c>): 0, or the errno (EINVAL or ENOSYS where the file
    /// system or kernel cannot; ENOSYS elsewhere than Linux).
    /// </summary>
    public static int RenameExchange(string a, string b)
    {
        if (!OperatingSystem.IsLinux())
        {
            return ENOSYS;
        }

        return renameat2(AtFdCwd, a, AtFdCwd, b, RenameExchangeFlag) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statxPath(int directory, string path, int flags, uint mask, ref uint buffer);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int truncate(string path, long length);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mkdir(string path, int mode);

    /// <summary>The few <c>struct statx</c> fields the spool reads.</summary>
    internal readonly record struct FileStatus(ulong Device, ulong Inode, uint Links, long Size, uint Owner)
    {
        // struct statx (the same on every architecture): stx_nlink u32 at 16, stx_uid u32 at 20, stx_ino u64 at 32,
        // stx_size u64 at 40, stx_dev_major u32 at 136, stx_dev_minor u32 at 140.
        internal static FileStatus From(ReadOnlySpan<uint> b) => new(
            ((ulong)b[34] << 32) | b[35],
            b[8] | ((ulong)b[9] << 32),
            b[4],
            (long)(b[10] | ((ulong)b[11] << 32)),
            b[5]);
    }
}
