using System.Runtime.InteropServices;

namespace EmailRelay.Filters;

/// <summary>libc's <c>link</c>, for the hard-linking options of <c>copy:</c> (and later <c>deliver:</c>, <c>split:</c>).</summary>
internal static partial class FilterNative
{
    /// <summary>Hard-links <paramref name="existing"/> as <paramref name="newPath"/>; throws <see cref="IOException"/> on failure.</summary>
    public static void HardLink(string existing, string newPath)
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
