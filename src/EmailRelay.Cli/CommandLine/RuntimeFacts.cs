using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace EmailRelay.Cli.CommandLine;

/// <summary>Facts about the running platform, shown by <c>--version --verbose</c>.</summary>
/// <param name="FrameworkDescription">E.g. <c>RuntimeInformation.FrameworkDescription</c>.</param>
/// <param name="OsDescription">E.g. <c>RuntimeInformation.OSDescription</c>.</param>
/// <param name="TlsLibrary">The TLS library underneath <c>SslStream</c>, e.g. <c>OpenSSL 3.0.13</c>.</param>
internal sealed record RuntimeFacts(string FrameworkDescription, string OsDescription, string TlsLibrary)
{
    /// <summary>The facts of the current process (for <c>Program</c>; tests pass fixed values instead).</summary>
    public static RuntimeFacts Detect() =>
        new(RuntimeInformation.FrameworkDescription, RuntimeInformation.OSDescription, DetectTlsLibrary());

    /// <summary>Formats an OpenSSL version number (<c>OPENSSL_VERSION_NUMBER</c> layout) as <c>OpenSSL 3.0.13</c>.</summary>
    public static string FormatOpenSslVersion(long version)
    {
        var major = (version >> 28) & 0xF;
        var minor = (version >> 20) & 0xFF;

        // OpenSSL 3 keeps the patch number in bits 4..11; 1.x keeps the "fix" number in bits 12..19.
        var patch = major >= 3 ? (version >> 4) & 0xFF : (version >> 12) & 0xFF;
        return string.Create(CultureInfo.InvariantCulture, $"OpenSSL {major}.{minor}.{patch}");
    }

    private static string DetectTlsLibrary()
    {
        if (OperatingSystem.IsWindows())
        {
            return "SChannel";
        }

        if (OperatingSystem.IsMacOS() || OperatingSystem.IsIOS())
        {
            return "Apple Security framework";
        }

        try
        {
            return FormatOpenSslVersion(SafeEvpPKeyHandle.OpenSslVersion);
        }
        catch (Exception e) when (e is PlatformNotSupportedException or DllNotFoundException or EntryPointNotFoundException or TypeInitializationException)
        {
            return "OpenSSL (version unknown)";
        }
    }
}
