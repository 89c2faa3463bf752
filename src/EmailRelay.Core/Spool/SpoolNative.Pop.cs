using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace EmailRelay.Spool;

/// <summary>
/// The POP claim group's batch path (<see cref="FileClaimGroup"/>): <c>rename(2)</c> and a plain read-only <c>open(2)</c>,
/// without the existence checks, <c>stat</c>s and advisory <c>flock</c>s that <see cref="File.Move(string, string, bool)"/>
/// and <see cref="FileStream"/> add to every call (counted with <c>strace -c</c>: they were most of the
/// per-message system calls of a POP login).
/// </summary>
internal static partial class SpoolNative
{
    /// <summary>Renames <paramref name="from"/> to <paramref name="to"/>, replacing it; false with errno on failure.</summary>
    public static bool TryRename(string from, string to, out int errno)
    {
        errno = Rename(from, to);
        return errno == 0;
    }

    /// <summary>Removes a file; false with errno on failure (<see cref="ENOENT"/> if it is already gone).</summary>
    public static bool TryUnlink(string path, out int errno)
    {
        if (unlink(path) == 0)
        {
            errno = 0;
            return true;
        }

        errno = Marshal.GetLastPInvokeError();
        return false;
    }

    /// <summary>Opens a file read-only (no advisory lock); null with errno on failure.</summary>
    public static SafeFileHandle? OpenReadOnly(string path, out int errno) => Open(path, O_RDONLY | O_CLOEXEC, out errno);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int unlink(string path);
}
