using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Auth;

/// <summary>
/// A throw-away PKI made with the <c>openssl</c> command at test time (never committed): a test CA, a server
/// certificate and a client certificate signed by it, and a self-signed ("rogue") client certificate.
/// </summary>
internal sealed class TestCa
{
    private const string OpenSsl = "/usr/bin/openssl";

    private TestCa(string directory) => Directory = directory;

    /// <summary>Where the files are.</summary>
    public string Directory { get; }

    public string CaCertificate => Path.Combine(Directory, "ca.pem");

    public string ServerKey => Path.Combine(Directory, "server.key");

    public string ServerCertificate => Path.Combine(Directory, "server.pem");

    public string ClientKey => Path.Combine(Directory, "client.key");

    public string ClientCertificate => Path.Combine(Directory, "client.pem");

    public string RogueKey => Path.Combine(Directory, "rogue.key");

    public string RogueCertificate => Path.Combine(Directory, "rogue.pem");

    /// <summary>A directory holding the CA certificate under its OpenSSL subject-hash name (as <c>openssl rehash</c> makes it).</summary>
    public string CaDirectory => Path.Combine(Directory, "cadir");

    /// <summary>Creates the files in <paramref name="directory"/>.</summary>
    public static async Task<TestCa> CreateAsync(string directory)
    {
        var ca = new TestCa(directory);
        string[] ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
        await RunAsync(["req", "-x509", .. ec, "-keyout", Path.Combine(directory, "ca.key"), "-out", ca.CaCertificate,
            "-days", "3650", "-subj", "/CN=EmailRelay Test CA"]);
        await RunAsync(["req", "-x509", .. ec, "-keyout", ca.RogueKey, "-out", ca.RogueCertificate,
            "-days", "3650", "-subj", "/CN=rogue.example"]);
        await SignedAsync(ca, "server", "/CN=localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1");
        await SignedAsync(ca, "client", "/CN=client.example", "extendedKeyUsage=clientAuth");
        string hash = (await RunAsync(["x509", "-in", ca.CaCertificate, "-noout", "-subject_hash"])).Trim();
        System.IO.Directory.CreateDirectory(ca.CaDirectory);
        File.Copy(ca.CaCertificate, Path.Combine(ca.CaDirectory, hash + ".0"));
        return ca;
    }

    private static async Task SignedAsync(TestCa ca, string name, string subject, string extension)
    {
        string key = Path.Combine(ca.Directory, name + ".key");
        string csr = Path.Combine(ca.Directory, name + ".csr");
        string ext = Path.Combine(ca.Directory, name + ".ext");
        await File.WriteAllTextAsync(ext, extension + "\n");
        await RunAsync(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", csr, "-subj", subject]);
        await RunAsync(["x509", "-req", "-in", csr, "-CA", ca.CaCertificate, "-CAkey", Path.Combine(ca.Directory, "ca.key"),
            "-CAcreateserial", "-days", "3650", "-extfile", ext, "-out", Path.Combine(ca.Directory, name + ".pem")]);
    }

    private static async Task<string> RunAsync(string[] arguments)
    {
        await using var tool = ToolProcess.Start(OpenSsl, arguments, standardInput: "");
        int code = await tool.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(code == 0, tool.CommandLine + "\n" + tool.StandardError);
        return tool.StandardOutput;
    }
}
