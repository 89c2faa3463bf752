using System.Text;
using EmailRelay.Protocol.Sasl;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Auth;

/// <summary>
/// Opens the secrets store an option names: <c>--server-auth</c>/<c>--pop-auth</c> (a file, or
/// <c>pam:</c>; <c>/pam</c> still works with a warning) and <c>--client-auth</c> (a file, or
/// <c>plain:&lt;b64id&gt;:&lt;b64pw&gt;</c>).
/// </summary>
internal static class SecretStores
{
    /// <summary>The PAM service name.</summary>
    public const string PamService = "emailrelay";

    /// <summary>True if the server-side value means PAM.</summary>
    public static bool IsPam(string spec) => spec is "pam:" or "/pam" || spec.StartsWith("pam:", StringComparison.Ordinal);

    /// <summary>Opens a server store; throws <see cref="SecretsFileException"/> on errors.</summary>
    public static ISecretLookup OpenServer(string spec, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (IsPam(spec))
        {
            if (spec == "/pam")
            {
                Log.PamWarning(logger, "\"/pam\" is deprecated: use \"pam:\"");
            }

            return new PamSecrets(new PamAuthenticator(PamService), logger);
        }

        return SecretsFile.Load(spec, time, logger);
    }

    /// <summary>Opens a client store; throws <see cref="SecretsFileException"/> on errors.</summary>
    public static ISecretLookup OpenClient(string spec, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.StartsWith("plain:", StringComparison.OrdinalIgnoreCase))
        {
            string[] parts = spec.Split(':');
            if (parts.Length != 3)
            {
                throw new SecretsFileException("invalid --client-auth value: expected plain:<base64-id>:<base64-password>");
            }

            return SecretsParser.Parse("client plain:b " + parts[1] + " " + parts[2] + "\n", "--client-auth");
        }

        return SecretsFile.Load(spec, time, logger);
    }

    /// <summary>The UTF-8 bytes of a string (helper for callers holding text passwords).</summary>
    internal static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
