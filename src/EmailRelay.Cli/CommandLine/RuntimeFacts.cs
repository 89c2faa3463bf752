namespace EmailRelay.Cli.CommandLine;

/// <summary>Facts about the running platform, shown by <c>--version --verbose</c>.</summary>
/// <param name="FrameworkDescription">E.g. <c>RuntimeInformation.FrameworkDescription</c>.</param>
/// <param name="OsDescription">E.g. <c>RuntimeInformation.OSDescription</c>.</param>
/// <param name="TlsLibrary">The TLS library underneath <c>SslStream</c>, e.g. <c>OpenSSL 3.0.13</c>.</param>
internal sealed record RuntimeFacts(string FrameworkDescription, string OsDescription, string TlsLibrary);
