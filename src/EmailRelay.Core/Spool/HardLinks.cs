using System.Runtime.InteropServices;

namespace EmailRelay.Spool;

/// <summary>libc's <c>link</c>: the hard links of <c>copy:</c>, <c>deliver:</c> and <c>split:</c>.</summary>
internal static partial class HardLinks
{
    /// <summary>Hard-links <paramref name="existing"/> as <paramref name="newPath"/>; throws <see cref="IOException"/> on failure.</summary>
    public static void Create(string existing, string newPath)
    {
        if (link(existing, newPath) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException("cannot link \"" + newPath + "\": " + Marshal.GetPInvokeErrorMessage(errno), errno);
        }
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int link(string existing, string newPath);
}
