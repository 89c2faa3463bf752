using System.Runtime.InteropServices;
using EmailRelay.Platform;
using EmailRelay.Platform.Linux;
using EmailRelay.Platform.MacOS;
using EmailRelay.Platform.Unix;
using EmailRelay.Platform.Windows;

namespace EmailRelay.Core.Tests.Platform;

/// <summary>
/// Every value that differs by system, against the system's headers (Linux asm-generic/fcntl.h, x86 and arm64
/// fcntl.h, errno.h, stat.h; Apple sys/fcntl.h, sys/errno.h, sys/stdio.h, sys/stat.h; Windows winerror.h, winbase.h,
/// fileapi.h). macOS cannot run in CI, so these tables are its check.
/// </summary>
public sealed class PlatformValuesTests
{
    private static readonly UnixConstants s_linuxX64 = LinuxFiles.ConstantsFor(Architecture.X64);
    private static readonly UnixConstants s_linuxArm64 = LinuxFiles.ConstantsFor(Architecture.Arm64);
    private static readonly UnixConstants s_mac = MacFiles.MacConstants;

    private static UnixConstants Of(string system) => system switch
    {
        "linux-x64" => s_linuxX64,
        "linux-arm64" => s_linuxArm64,
        "macos" => s_mac,
        _ => throw new ArgumentOutOfRangeException(nameof(system)),
    };

    [Theory]
    // system, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_CLOEXEC, O_DIRECTORY, AT_FDCWD
    [InlineData("linux-x64", 1, 2, 0x40, 0x80, 0x200, 0x80000, 0x10000, -100)]
    [InlineData("linux-arm64", 1, 2, 0x40, 0x80, 0x200, 0x80000, 0x4000, -100)]
    [InlineData("macos", 1, 2, 0x200, 0x800, 0x400, 0x1000000, 0x100000, -2)]
    public void Open_flags_and_at_fdcwd_are_the_systems_own(string system, int writeOnly, int readWrite, int create, int exclusive, int truncate, int closeOnExec, int directory, int atFdCwd)
    {
        var c = Of(system);
        Assert.Equal(
            (writeOnly, readWrite, create, exclusive, truncate, closeOnExec, directory, atFdCwd),
            (c.WriteOnly, c.ReadWrite, c.Create, c.Exclusive, c.Truncate, c.CloseOnExec, c.Directory, c.AtCurrentDirectory));
    }

    [Theory]
    [InlineData("linux-x64", (int)(FileOpenMode.Read), 0x80000)]
    [InlineData("linux-x64", (int)(FileOpenMode.ReadWrite | FileOpenMode.Create | FileOpenMode.Exclusive), 0x80000 | 2 | 0x40 | 0x80)]
    [InlineData("linux-x64", (int)(FileOpenMode.Write | FileOpenMode.Create | FileOpenMode.Truncate), 0x80000 | 1 | 0x40 | 0x200)]
    [InlineData("macos", (int)(FileOpenMode.Read), 0x1000000)]
    [InlineData("macos", (int)(FileOpenMode.ReadWrite | FileOpenMode.Create | FileOpenMode.Exclusive), 0x1000000 | 2 | 0x200 | 0x800)]
    [InlineData("macos", (int)(FileOpenMode.Write | FileOpenMode.Create | FileOpenMode.Truncate), 0x1000000 | 1 | 0x200 | 0x400)]
    [InlineData("macos", (int)(FileOpenMode.ReadWrite | FileOpenMode.Create), 0x1000000 | 2 | 0x200)]
    public void Open_modes_become_the_systems_flags(string system, int mode, int expected)
    {
        Assert.Equal(expected, Of(system).OpenFlags((FileOpenMode)mode));
    }

    [Fact]
    public void No_macos_open_carries_linux_create_which_is_macos_o_async()
    {
        const int MacOsAsync = 0x40;
        foreach (FileOpenMode mode in AllModes())
        {
            Assert.Equal(0, s_mac.OpenFlags(mode) & MacOsAsync);
        }
    }

    [Theory]
    // portable (Linux) code, Linux errno, macOS errno
    [InlineData(FileErrors.EPERM, 1, 1)]
    [InlineData(FileErrors.ENOENT, 2, 2)]
    [InlineData(FileErrors.EIO, 5, 5)]
    [InlineData(FileErrors.EWOULDBLOCK, 11, 35)]
    [InlineData(FileErrors.EACCES, 13, 13)]
    [InlineData(FileErrors.EEXIST, 17, 17)]
    [InlineData(FileErrors.EXDEV, 18, 18)]
    [InlineData(FileErrors.EINVAL, 22, 22)]
    [InlineData(FileErrors.ENOSPC, 28, 28)]
    [InlineData(FileErrors.EROFS, 30, 30)]
    [InlineData(FileErrors.ENOSYS, 38, 78)]
    [InlineData(FileErrors.EOPNOTSUPP, 95, 45)]
    [InlineData(FileErrors.EDQUOT, 122, 69)]
    public void Errno_numbers_map_to_the_portable_codes(int portable, int linux, int macos)
    {
        Assert.Equal(portable, s_linuxX64.ToPortable(linux));
        Assert.Equal(portable, s_linuxArm64.ToPortable(linux));
        Assert.Equal(portable, s_mac.ToPortable(macos));
        Assert.Equal(macos, s_mac.Errors[portable]);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(11, FileErrors.EIO)] // macOS EDEADLK, not EAGAIN
    [InlineData(122, FileErrors.EIO)] // not an errno on macOS
    public void Macos_numbers_without_a_code_are_not_read_as_linux_ones(int macos, int portable)
    {
        Assert.Equal(portable, s_mac.ToPortable(macos));
    }

    [Theory]
    [InlineData(2, FileErrors.ENOENT)] // ERROR_FILE_NOT_FOUND
    [InlineData(3, FileErrors.ENOENT)] // ERROR_PATH_NOT_FOUND
    [InlineData(5, FileErrors.EACCES)] // ERROR_ACCESS_DENIED
    [InlineData(17, FileErrors.EXDEV)] // ERROR_NOT_SAME_DEVICE
    [InlineData(32, FileErrors.EWOULDBLOCK)] // ERROR_SHARING_VIOLATION
    [InlineData(33, FileErrors.EWOULDBLOCK)] // ERROR_LOCK_VIOLATION
    [InlineData(39, FileErrors.ENOSPC)] // ERROR_HANDLE_DISK_FULL
    [InlineData(80, FileErrors.EEXIST)] // ERROR_FILE_EXISTS
    [InlineData(112, FileErrors.ENOSPC)] // ERROR_DISK_FULL
    [InlineData(183, FileErrors.EEXIST)] // ERROR_ALREADY_EXISTS
    [InlineData(303, FileErrors.ENOENT)] // ERROR_DELETE_PENDING
    [InlineData(1295, FileErrors.EDQUOT)] // ERROR_DISK_QUOTA_EXCEEDED
    [InlineData(1117, FileErrors.EIO)] // ERROR_IO_DEVICE: no code of its own
    [InlineData(0, 0)]
    public void Win32_errors_map_to_the_portable_codes(int win32, int portable)
    {
        Assert.Equal(portable, WindowsFiles.FromWin32(win32));
        Assert.Equal(portable, new WindowsFiles().ToPortableError(unchecked((int)0x80070000) | win32));
    }

    [Fact]
    public void Windows_flag_values_are_winbase_and_fileapi_ones()
    {
        Assert.Equal((0x1u, 0x8u, 0x1u, 0x2u), (WindowsFiles.MoveReplaceExisting, WindowsFiles.MoveWriteThrough, WindowsFiles.LockFailImmediately, WindowsFiles.LockExclusive));
        Assert.True(WindowsFiles.LockOffset > int.MaxValue, "the owner lock's byte must lie beyond any lock file's content");
    }

    [Fact]
    public void Macos_flush_and_rename_values_are_apples()
    {
        Assert.Equal(51, MacFiles.FullFsync);
        Assert.Equal((0x2u, 0x4u), (MacFiles.RenameSwap, MacFiles.RenameExclusive));
    }

    [Theory]
    [InlineData((int)(FileOpenMode.Read), FileMode.Open, FileAccess.Read)]
    [InlineData((int)(FileOpenMode.ReadWrite), FileMode.Open, FileAccess.ReadWrite)]
    [InlineData((int)(FileOpenMode.ReadWrite | FileOpenMode.Create), FileMode.OpenOrCreate, FileAccess.ReadWrite)]
    [InlineData((int)(FileOpenMode.ReadWrite | FileOpenMode.Create | FileOpenMode.Exclusive), FileMode.CreateNew, FileAccess.ReadWrite)]
    [InlineData((int)(FileOpenMode.Write | FileOpenMode.Create | FileOpenMode.Exclusive), FileMode.CreateNew, FileAccess.Write)]
    [InlineData((int)(FileOpenMode.Write | FileOpenMode.Create | FileOpenMode.Truncate), FileMode.Create, FileAccess.Write)]
    [InlineData((int)(FileOpenMode.Write | FileOpenMode.Truncate), FileMode.Truncate, FileAccess.Write)]
    public void Windows_open_modes_become_dotnet_file_modes(int mode, FileMode fileMode, FileAccess access)
    {
        Assert.Equal((fileMode, access), WindowsFiles.OpenArguments((FileOpenMode)mode));
    }

    [Fact]
    public void Linux_statx_fields_are_read_from_their_offsets()
    {
        var buffer = new uint[64];
        buffer[4] = 3; // stx_nlink
        buffer[5] = 1000; // stx_uid
        buffer[8] = 0x89ABCDEF; // stx_ino low
        buffer[9] = 0x01234567; // stx_ino high
        buffer[10] = 10 * 1048576; // stx_size low
        buffer[11] = 1; // stx_size high
        buffer[34] = 8; // stx_dev_major
        buffer[35] = 1; // stx_dev_minor
        Assert.Equal(new FileStatus(0x801, 0x01234567_89ABCDEF, 3, (1L << 32) + (10 * 1048576), 1000), LinuxFiles.FromStatx(buffer));
    }

    [Theory]
    [InlineData(8, 1, 0x801)]
    [InlineData(254, 0, 0xFE00)]
    [InlineData(259, 0x12345, 0x1231_0345)]
    [InlineData(0x1234, 0x56, 0x1000_0002_3456)]
    public void Linux_statx_devices_encode_as_stat_devices(int major, int minor, long expected)
    {
        Assert.Equal((ulong)expected, LinuxFiles.MakeDevice((ulong)major, (ulong)minor));
    }

    [Theory]
    // architecture, st_nlink offset and width, st_uid offset (st_dev 0, st_ino 8, st_size 48 on both)
    [InlineData(Architecture.X64, 16, 8, 28)]
    [InlineData(Architecture.Arm64, 20, 4, 24)]
    public void Linux_stat_fields_are_read_from_each_architectures_offsets(Architecture architecture, int links, int linksWidth, int owner)
    {
        var b = new byte[256];
        BitConverter.TryWriteBytes(b.AsSpan(0), 0x801UL);
        BitConverter.TryWriteBytes(b.AsSpan(8), 4242UL);
        if (linksWidth == 8)
        {
            BitConverter.TryWriteBytes(b.AsSpan(links), 2UL);
        }
        else
        {
            BitConverter.TryWriteBytes(b.AsSpan(links), 2U);
        }

        BitConverter.TryWriteBytes(b.AsSpan(owner), 1000U);
        BitConverter.TryWriteBytes(b.AsSpan(48), 123456789L);
        Assert.Equal(new FileStatus(0x801, 4242, 2, 123456789, 1000), LinuxFiles.FromStat(b, architecture));
    }

    [Fact]
    public void Macos_stat_fields_are_read_from_their_offsets()
    {
        var b = new byte[144];
        BitConverter.TryWriteBytes(b.AsSpan(0), 0x1000004U); // st_dev
        BitConverter.TryWriteBytes(b.AsSpan(4), (ushort)0x81B0); // st_mode
        BitConverter.TryWriteBytes(b.AsSpan(6), (ushort)2); // st_nlink
        BitConverter.TryWriteBytes(b.AsSpan(8), 987654321UL); // st_ino
        BitConverter.TryWriteBytes(b.AsSpan(16), 501U); // st_uid
        BitConverter.TryWriteBytes(b.AsSpan(96), 10485760L); // st_size
        Assert.Equal(new FileStatus(0x1000004, 987654321, 2, 10485760, 501), MacFiles.FromStat(b));
        Assert.Equal(144, MacFiles.StatLayout.Length);
    }

    [Fact]
    public void Windows_file_information_fields_are_read_from_their_offsets()
    {
        var b = new byte[WindowsFiles.FileInformationLength];
        BitConverter.TryWriteBytes(b.AsSpan(28), 0xCAFEF00DU); // dwVolumeSerialNumber
        BitConverter.TryWriteBytes(b.AsSpan(32), 1U); // nFileSizeHigh
        BitConverter.TryWriteBytes(b.AsSpan(36), 5U); // nFileSizeLow
        BitConverter.TryWriteBytes(b.AsSpan(40), 3U); // nNumberOfLinks
        BitConverter.TryWriteBytes(b.AsSpan(44), 0x10U); // nFileIndexHigh
        BitConverter.TryWriteBytes(b.AsSpan(48), 0x20U); // nFileIndexLow
        Assert.Equal(new FileStatus(0xCAFEF00D, 0x10_0000_0020, 3, (1L << 32) + 5, 0), WindowsFiles.FromFileInformation(b));
        Assert.Equal(52, WindowsFiles.FileInformationLength);
    }

    [Fact]
    public void The_current_layer_is_this_systems()
    {
        Type expected = OperatingSystem.IsLinux() ? typeof(LinuxFiles) : OperatingSystem.IsMacOS() ? typeof(MacFiles) : typeof(WindowsFiles);
        Assert.IsType(expected, FilePlatform.Current);
    }

    private static IEnumerable<FileOpenMode> AllModes()
    {
        for (int bits = 0; bits < 32; bits++)
        {
            yield return (FileOpenMode)bits;
        }
    }
}
