using System.Security.Authentication;

namespace EmailRelay.Tls;

/// <summary>
/// <c>--tls-config</c> keywords (reference §e): library choice (ignored: the platform's TLS), minimum
/// (<c>tlsv1.2</c>) and maximum (<c>-tlsv1.2</c>) protocol versions, <c>noverify</c>, <c>ignoreextra</c>.
/// The platform offers TLS 1.2 and 1.3 only.
/// </summary>
internal sealed record TlsConfig
{
    private static readonly string[] s_versions = ["sslv3", "tlsv1.0", "tlsv1.1", "tlsv1.2", "tlsv1.3"];

    /// <summary>The protocols to enable.</summary>
    public SslProtocols Protocols { get; init; } = SslProtocols.None;

    /// <summary><c>noverify</c>: skip certificate verification even with a CA list.</summary>
    public bool NoVerify { get; init; }

    /// <summary>Parses the option; throws <see cref="TlsConfigurationException"/> on unknown words unless <c>ignoreextra</c>.</summary>
    public static TlsConfig Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return new TlsConfig();
        }

        string[] words = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        bool ignoreExtra = words.Contains("ignoreextra", StringComparer.OrdinalIgnoreCase);
        int min = 0, max = s_versions.Length - 1;
        bool noVerify = false;
        foreach (string raw in words)
        {
            string word = raw.ToLowerInvariant();
            int index;
            if (word is "openssl" or "mbedtls" or "nopsa" or "noisy" or "ignoreextra")
            {
                continue;
            }
            else if (word == "noverify")
            {
                noVerify = true;
            }
            else if ((index = Array.IndexOf(s_versions, word)) >= 0)
            {
                min = index;
            }
            else if (word.StartsWith('-') && (index = Array.IndexOf(s_versions, word[1..])) >= 0)
            {
                max = index;
            }
            else if (!ignoreExtra)
            {
                throw new TlsConfigurationException("invalid tls-config word: " + raw);
            }
        }

        SslProtocols protocols = SslProtocols.None;
        if (min <= 3 && max >= 3)
        {
            protocols |= SslProtocols.Tls12;
        }

        if (max >= 4)
        {
            protocols |= SslProtocols.Tls13;
        }

        if (protocols == SslProtocols.None || (min < 3 && max < 3))
        {
            throw new TlsConfigurationException("tls-config: no supported protocol version in range");
        }

#pragma warning disable CA5397 // None (the platform's choice) is used when no range is configured.
        return new TlsConfig { Protocols = min == 0 && max == 4 ? SslProtocols.None : protocols, NoVerify = noVerify };
#pragma warning restore CA5397
    }
}
