using EmailRelay.Platform.Linux;
using EmailRelay.Platform.MacOS;
using EmailRelay.Platform.Windows;

namespace EmailRelay.Platform;

/// <summary>The <see cref="IFilePlatform"/> of the system this process runs on.</summary>
internal static class FilePlatform
{
    /// <summary>Linux, macOS or Windows; on any other Unix the macOS layer's POSIX calls with the shared fallbacks is not safe to guess, so it throws.</summary>
    public static IFilePlatform Current { get; } = Select();

    private static IFilePlatform Select()
    {
        if (OperatingSystem.IsLinux())
        {
            return new LinuxFiles();
        }

        if (OperatingSystem.IsMacOS())
        {
            return new MacFiles();
        }

        if (OperatingSystem.IsWindows())
        {
            return new WindowsFiles();
        }

        throw new PlatformNotSupportedException("no file layer for " + System.Runtime.InteropServices.RuntimeInformation.OSDescription);
    }
}
