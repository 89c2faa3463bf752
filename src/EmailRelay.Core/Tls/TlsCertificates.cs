using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EmailRelay.Tls;

/// <summary>
/// PEM certificate and key loading: one file with the key and the chain, or (as the options are given)
/// key file first, then certificate file. The only place that reads private keys.
/// </summary>
internal static class TlsCertificates
{
    /// <summary>Loads the leaf certificate with its key, and any further certificates as the chain.</summary>
    public static (X509Certificate2 Certificate, X509Certificate2Collection Chain) Load(string first, string? second)
    {
        ArgumentNullException.ThrowIfNull(first);
        string keyPath = first;
        string certPath = second ?? first;
        try
        {
            var all = new X509Certificate2Collection();
            all.ImportFromPemFile(certPath);
            if (all.Count == 0)
            {
                throw new TlsConfigurationException("no certificate in " + certPath);
            }

            using X509Certificate2 leaf = X509Certificate2.CreateFromPemFile(certPath, keyPath);
            var withKey = X509CertificateLoader.LoadPkcs12(leaf.Export(X509ContentType.Pkcs12), null);
            var chain = new X509Certificate2Collection();
            for (int i = 1; i < all.Count; i++)
            {
                chain.Add(all[i]);
            }

            return (withKey, chain);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new TlsConfigurationException("cannot load tls certificate or key: " + certPath + ": " + ex.Message, ex);
        }
    }

    /// <summary>Loads CA certificates from a PEM file, or every <c>*.pem</c>/<c>*.crt</c> file in a directory.</summary>
    public static X509Certificate2Collection LoadCa(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var collection = new X509Certificate2Collection();
        try
        {
            if (Directory.Exists(path))
            {
                foreach (string file in Directory.EnumerateFiles(path))
                {
                    try
                    {
                        collection.ImportFromPemFile(file);
                    }
                    catch (CryptographicException)
                    {
                        // Not a PEM file (hash links, READMEs): skip it.
                    }
                }
            }
            else
            {
                collection.ImportFromPemFile(path);
            }
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new TlsConfigurationException("cannot load ca certificates: " + path + ": " + ex.Message, ex);
        }

        return collection;
    }

    /// <summary>A certificate as PEM (the envelope's ClientCertificate field).</summary>
    public static string ToPem(X509Certificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return PemEncoding.WriteString("CERTIFICATE", certificate.GetRawCertData());
    }
}
