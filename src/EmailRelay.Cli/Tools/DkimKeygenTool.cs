using System.Globalization;
using System.Text;
using EmailRelay.Filters.Dkim;
using EmailRelay.Protocol.Dkim;

namespace EmailRelay.Cli.Tools;

/// <summary>
/// <c>emailrelay-dkim-keygen</c>: writes a new DKIM key pair for the <c>dkim:</c> filter and prints the DNS TXT record
/// to publish. Usage: <c>emailrelay-dkim-keygen [-a rsa|ed25519] [-b bits] [-s selector] [-d domain] &lt;key-file&gt;</c>.
/// The private key goes to the key file (PKCS#8 PEM, mode 0600, never overwritten), the public key to
/// <c>&lt;key-file&gt;.pub</c>; stdout gets <c>&lt;selector&gt;._domainkey.&lt;domain&gt;. IN TXT ( "v=DKIM1; ..." )</c>
/// in strings of at most 255 characters. RSA keys are 2048 bits unless <c>-b</c> says otherwise (1024 to 4096).
/// Exit 0, or 1 with a one-line error on stderr.
/// </summary>
internal static class DkimKeygenTool
{
    private const string Name = "emailrelay-dkim-keygen";

    private const string Help =
        "usage: emailrelay-dkim-keygen [<options>] <key-file>\n" +
        "writes a new DKIM private key to <key-file> (PEM, mode 0600) and its public key to <key-file>.pub,\n" +
        "and prints the DNS TXT record to publish; the key file is for --filter=dkim:d=<domain>;s=<selector>;key=<key-file>\n" +
        "  -a, --algorithm rsa|ed25519   the key type (default rsa, for rsa-sha256)\n" +
        "  -b, --bits <n>                RSA key size, 1024 to 4096 (default 2048)\n" +
        "  -s, --selector <name>         the selector in the record's name (default default)\n" +
        "  -d, --domain <domain>         the signing domain in the record's name (default example.com)\n" +
        "      --help                    show this help and exit\n";

    /// <summary>Runs the tool and returns its exit code.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var algorithm = DkimAlgorithm.RsaSha256;
        int bits = 2048;
        string selector = "default";
        string domain = "example.com";
        string? path = null;
        for (int i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? Value() => i + 1 < args.Count ? args[++i] : null;
            switch (arg)
            {
                case "--help":
                    stdout.Write(Help);
                    return 0;
                case "-a" or "--algorithm":
                    var name = Value();
                    if (name is not ("rsa" or "ed25519"))
                    {
                        return Usage(stderr, "the algorithm must be rsa or ed25519");
                    }

                    algorithm = name == "rsa" ? DkimAlgorithm.RsaSha256 : DkimAlgorithm.Ed25519Sha256;
                    break;
                case "-b" or "--bits":
                    if (!int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out bits) || bits is < 1024 or > 4096 || bits % 8 != 0)
                    {
                        return Usage(stderr, "the key size must be a multiple of 8 from 1024 to 4096");
                    }

                    break;
                case "-s" or "--selector":
                    selector = Value() ?? "";
                    break;
                case "-d" or "--domain":
                    domain = Value() ?? "";
                    break;
                default:
                    if (arg.StartsWith('-') || path is not null)
                    {
                        return Usage(stderr, "invalid argument: " + arg);
                    }

                    path = arg;
                    break;
            }
        }

        if (path is null || selector.Length == 0 || domain.Length == 0)
        {
            return Usage(stderr, path is null ? "no key file given" : "empty selector or domain");
        }

        using var key = DkimKey.Generate(algorithm, bits);
        try
        {
            WriteNew(path, key.PrivateKeyPem() + "\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.WriteAllText(path + ".pub", key.PublicKeyPem() + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine(Name + ": error: " + e.Message);
            return 1;
        }

        stdout.Write(TxtRecord(selector, domain, key));
        return 0;
    }

    /// <summary>The zone-file line for the key: strings of at most 255 characters, in parentheses.</summary>
    internal static string TxtRecord(string selector, string domain, DkimKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var value = string.Concat("v=DKIM1; k=", key.Algorithm == DkimAlgorithm.Ed25519Sha256 ? "ed25519" : "rsa", "; p=", key.PublicKeyBase64());
        var text = new StringBuilder();
        text.Append(selector).Append("._domainkey.").Append(domain.TrimEnd('.')).Append(". IN TXT (");
        for (int i = 0; i < value.Length; i += 255)
        {
            text.Append(" \"").Append(value.AsSpan(i, Math.Min(255, value.Length - i))).Append('"');
        }

        return text.Append(" )\n").ToString();
    }

    private static void WriteNew(string path, string text, UnixFileMode mode)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        using var stream = new FileStream(path, options);
        stream.Write(Encoding.ASCII.GetBytes(text));
    }

    private static int Usage(TextWriter stderr, string why)
    {
        stderr.WriteLine(Name + ": usage error: " + why);
        return 1;
    }
}
