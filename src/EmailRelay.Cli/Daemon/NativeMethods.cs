using System.Runtime.InteropServices;

namespace EmailRelay.Cli.Daemon;

/// <summary>The libc calls the process model needs and .NET does not wrap (Linux).</summary>
internal static partial class NativeMethods
{
    /// <summary><c>O_RDWR</c>.</summary>
    public const int OpenReadWrite = 2;

    /// <summary>Offset of <c>pw_uid</c> in glibc's <c>struct passwd</c> (after two pointers).</summary>
    public static readonly int PasswdUidOffset = 2 * IntPtr.Size;

    /// <summary>Offset of <c>pw_gid</c> in glibc's <c>struct passwd</c>.</summary>
    public static readonly int PasswdGidOffset = (2 * IntPtr.Size) + 4;

    /// <summary><c>F_SETFD</c>.</summary>
    public const int SetDescriptorFlags = 2;

    /// <summary><c>FD_CLOEXEC</c>.</summary>
    public const int CloseOnExec = 1;

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    internal static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "setsid", SetLastError = true)]
    internal static partial int SetSid();

    [LibraryImport("libc", EntryPoint = "geteuid")]
    internal static partial uint GetEuid();

    [LibraryImport("libc", EntryPoint = "getuid")]
    internal static partial uint GetUid();

    [LibraryImport("libc", EntryPoint = "umask")]
    internal static partial uint Umask(uint mask);

    [LibraryImport("libc", EntryPoint = "getpwuid", SetLastError = true)]
    internal static partial IntPtr GetPwUid(uint uid);

    [LibraryImport("libc", EntryPoint = "getpwnam", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial IntPtr GetPwNam(string name);

    [LibraryImport("libc", EntryPoint = "seteuid", SetLastError = true)]
    internal static partial int SetEuid(uint uid);

    [LibraryImport("libc", EntryPoint = "setegid", SetLastError = true)]
    internal static partial int SetEgid(uint gid);

    [LibraryImport("libc", EntryPoint = "setgroups", SetLastError = true)]
    internal static partial int SetGroups(nuint size, IntPtr list);

    /// <summary><c>AT_FDCWD</c>.</summary>
    public const int AtCurrentDirectory = -100;

    /// <summary><c>AT_EACCESS</c>: check with the effective ids.</summary>
    public const int AtEffectiveAccess = 0x200;

    /// <summary><c>W_OK | X_OK</c>.</summary>
    public const int WriteAndSearch = 2 | 1;

    [LibraryImport("libc", EntryPoint = "faccessat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int FAccessAt(int directoryFd, string path, int mode, int flags);

    [LibraryImport("libc", EntryPoint = "chown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Chown(string path, uint owner, uint group);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    internal static partial int Dup2(int oldFd, int newFd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    /// <summary>Points a standard descriptor (0, 1 or 2) at <c>/dev/null</c>; best effort.</summary>
    public static void RedirectToDevNull(int fd)
    {
        var devNull = Open("/dev/null", OpenReadWrite);
        if (devNull >= 0)
        {
            _ = Dup2(devNull, fd);
            if (devNull != fd)
            {
                _ = Close(devNull);
            }
        }
    }
}
