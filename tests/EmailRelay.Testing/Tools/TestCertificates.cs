namespace EmailRelay.Testing.Tools;

/// <summary>
/// Certificates made at test time with the <c>openssl</c> command (never committed): a CA, a server certificate it
/// signs for <c>localhost</c> and <c>127.0.0.1</c> (subject <c>/CN=localhost</c>), and a second, unrelated CA.
/// </summary>
public sealed class TestCertificates
{
    private TestCertificates(string directory) => Directory = directory;

    /// <summary>Where the files are.</summary>
    public string Directory { get; }

    /// <summary>The CA certificate (PEM).</summary>
    public string CaCertificate => Path.Combine(Directory, "ca.pem");

    /// <summary>A CA that did not sign the server certificate (PEM).</summary>
    public string OtherCaCertificate => Path.Combine(Directory, "other-ca.pem");

    /// <summary>The server certificate (PEM).</summary>
    public string ServerCertificate => Path.Combine(Directory, "server.pem");

    /// <summary>The server key (PEM).</summary>
    public string ServerKey => Path.Combine(Directory, "server.key");

    /// <summary>
    /// Made by <see cref="CreateChainAsync"/> only: the intermediate CA between <see cref="CaCertificate"/> (the root)
    /// and the leaf certificates (PEM).
    /// </summary>
    public string IntermediateCertificate => Path.Combine(Directory, "intermediate.pem");

    /// <summary>Made by <see cref="CreateChainAsync"/> only: a client certificate (<c>/CN=Test Client</c>) the intermediate signs (PEM).</summary>
    public string ClientCertificate => Path.Combine(Directory, "client.pem");

    /// <summary>Made by <see cref="CreateChainAsync"/> only: the client key (PEM).</summary>
    public string ClientKey => Path.Combine(Directory, "client.key");

    /// <summary>
    /// Creates a three-level chain in <paramref name="directory"/>: a root CA (<see cref="CaCertificate"/>, the only
    /// certificate a CA file then needs), an intermediate CA it signs, and server and client leaves the intermediate
    /// signs, as public CAs issue. <see cref="OtherCaCertificate"/> is an unrelated root.
    /// </summary>
    public static async Task<TestCertificates> CreateChainAsync(string directory)
    {
        var result = new TestCertificates(directory);
        string[] ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
        string At(string name) => Path.Combine(directory, name);
        await OpensslAsync(["req", "-x509", .. ec, "-keyout", At("ca.key"), "-out", result.CaCertificate, "-days", "3650", "-subj", "/CN=Test Root CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
        await OpensslAsync(["req", "-x509", .. ec, "-keyout", At("other-ca.key"), "-out", result.OtherCaCertificate, "-days", "3650", "-subj", "/CN=Other CA"]);
        await SignAsync("intermediate", "/CN=Test Intermediate CA", "ca", "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n");
        await SignAsync("server", "/CN=localhost", "intermediate", "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
        await SignAsync("client", "/CN=Test Client", "intermediate", "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n");
        return result;

        async Task SignAsync(string name, string subject, string issuer, string extensions)
        {
            await OpensslAsync(["req", .. ec, "-keyout", At(name + ".key"), "-out", At(name + ".csr"), "-subj", subject]);
            await File.WriteAllTextAsync(At(name + ".ext"), extensions);
            await OpensslAsync(["x509", "-req", "-in", At(name + ".csr"), "-CA", At(issuer + ".pem"), "-CAkey", At(issuer + ".key"), "-CAcreateserial",
                "-out", At(name + ".pem"), "-days", "3650", "-extfile", At(name + ".ext")]);
        }
    }

    /// <summary>Creates the files in <paramref name="directory"/> (which must exist).</summary>
    public static async Task<TestCertificates> CreateAsync(string directory)
    {
        var result = new TestCertificates(directory);
        string[] ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
        await OpensslAsync(["req", "-x509", .. ec, "-keyout", Path.Combine(directory, "ca.key"), "-out", result.CaCertificate, "-days", "3650", "-subj", "/CN=Test CA"]);
        await OpensslAsync(["req", "-x509", .. ec, "-keyout", Path.Combine(directory, "other-ca.key"), "-out", result.OtherCaCertificate, "-days", "3650", "-subj", "/CN=Other CA"]);
        var csr = Path.Combine(directory, "server.csr");
        await OpensslAsync(["req", .. ec, "-keyout", result.ServerKey, "-out", csr, "-subj", "/CN=localhost"]);
        var extensions = Path.Combine(directory, "server.ext");
        await File.WriteAllTextAsync(extensions, "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n");
        await OpensslAsync(["x509", "-req", "-in", csr, "-CA", result.CaCertificate, "-CAkey", Path.Combine(directory, "ca.key"), "-CAcreateserial",
            "-out", result.ServerCertificate, "-days", "3650", "-extfile", extensions]);
        return result;
    }

    private static async Task OpensslAsync(string[] arguments)
    {
        await using var process = ToolProcess.Start("openssl", arguments, standardInput: "");
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        if (exit != 0)
        {
            throw new InvalidOperationException("openssl " + string.Join(' ', arguments) + " failed: " + process.StandardError);
        }
    }
}
