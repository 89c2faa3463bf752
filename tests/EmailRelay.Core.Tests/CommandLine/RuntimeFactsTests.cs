using EmailRelay.Cli.CommandLine;

namespace EmailRelay.Core.Tests.CommandLine;

public class RuntimeFactsTests
{
    [Theory]
    [InlineData(0x300000D0L, "OpenSSL 3.0.13")]
    [InlineData(0x30200010L, "OpenSSL 3.2.1")]
    [InlineData(0x1010117FL, "OpenSSL 1.1.1")]
    public void OpenSsl_version_numbers_are_formatted(long number, string expected) =>
        Assert.Equal(expected, RuntimeFacts.FormatOpenSslVersion(number));

    [Fact]
    public void Detected_facts_name_the_runtime_and_tls_library()
    {
        var facts = RuntimeFacts.Detect();
        Assert.Contains(".NET", facts.FrameworkDescription, StringComparison.Ordinal);
        Assert.NotEmpty(facts.OsDescription);
        if (OperatingSystem.IsLinux())
        {
            Assert.StartsWith("OpenSSL ", facts.TlsLibrary, StringComparison.Ordinal);
        }
    }
}
