using EmailRelay.Filters.Dkim;
using EmailRelay.Protocol.Dkim;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;

namespace EmailRelay.IntegrationTests.Dkim;

/// <summary>
/// Three DKIM verifiers we did not write, each given the test's public keys locally instead of DNS: dkimpy (Debian
/// <c>python3-dkim</c>, its <c>dnsfunc</c> reading a JSON file), OpenDKIM (Debian <c>opendkim</c>, test mode
/// <c>opendkim -t</c> with <c>TestPublicKeys</c> as its key table) and MimeKit's <c>DkimVerifier</c>. Each checks one
/// signature: a message with several is split into one copy per signature (no <c>h=</c> signs another DKIM-Signature).
/// </summary>
internal sealed class DkimVerifiers : IDisposable
{
    /// <summary>dkimpy's interpreter (Debian's, whatever python3 comes first on PATH).</summary>
    public const string Python = "/usr/bin/python3";

    /// <summary>OpenDKIM's filter, run in test mode.</summary>
    public const string Opendkim = "/usr/sbin/opendkim";

    private const string DkimpyScript = """
        import json, sys
        import dkim
        keys = json.load(open(sys.argv[1]))
        def dns(name, timeout=5):
            name = name.decode() if isinstance(name, bytes) else name
            return keys.get(name.rstrip('.'), '').encode()
        ok = dkim.DKIM(open(sys.argv[2], 'rb').read()).verify(dnsfunc=dns)
        print('pass' if ok else 'fail')
        sys.exit(0 if ok else 1)
        """;

    // Signs a message as dkimpy would: key file, selector, canonicalization "header/body", h= names, input, output.
    private const string DkimpySignScript = """
        import sys
        import dkim
        key, selector, canon, names, source, target = sys.argv[1:7]
        message = open(source, 'rb').read()
        header, body = canon.encode().split(b'/')
        signature = dkim.sign(message, selector.encode(), b'example.com', open(key, 'rb').read(),
                              canonicalize=(header, body), include_headers=[n.encode() for n in names.split(':')])
        open(target, 'wb').write(signature + message)
        """;

    private readonly TestDirectory _dir = new();
    private readonly Dictionary<string, string> _records = [];
    private readonly string _rsaKeyPath;

    /// <summary>Creates the verifiers for the keys of <paramref name="keys"/> (record name, e.g. <c>rsa._domainkey.example.com</c>).</summary>
    /// <param name="keys">The public keys by record name.</param>
    /// <param name="rsaKeyPath">An RSA private key file of selector <c>rsa</c>, for dkimpy's own signatures in the OpenDKIM cross-check.</param>
    public DkimVerifiers(IReadOnlyDictionary<string, DkimKey> keys, string rsaKeyPath)
        : this(keys.ToDictionary(k => k.Key, k => Record(k.Value)), rsaKeyPath)
    {
    }

    /// <summary>Creates the verifiers for TXT records (the text of each, by record name).</summary>
    public DkimVerifiers(IReadOnlyDictionary<string, string> records, string rsaKeyPath)
    {
        _rsaKeyPath = rsaKeyPath;
        foreach (var tool in new[] { Python, Opendkim })
        {
            if (!File.Exists(tool))
            {
                throw new InvalidOperationException(tool + " is missing: install the Debian packages python3-dkim, python3-nacl and opendkim");
            }
        }

        foreach (var (name, record) in records)
        {
            _records[name] = record;
        }

        File.WriteAllText(Path.Combine(_dir.Path, "keys.json"), System.Text.Json.JsonSerializer.Serialize(_records));
        File.WriteAllText(Path.Combine(_dir.Path, "verify.py"), DkimpyScript);
        File.WriteAllText(Path.Combine(_dir.Path, "sign.py"), DkimpySignScript);
        File.WriteAllLines(Path.Combine(_dir.Path, "keytable"), _records.Select(r => r.Key + " " + r.Value));
        File.WriteAllText(Path.Combine(_dir.Path, "opendkim.conf"), "Mode v\nSyslog no\nTestPublicKeys " + Path.Combine(_dir.Path, "keytable") + "\n");
    }

    /// <summary>The result of every verifier for every signature of the message at <paramref name="path"/>, as "verifier/selector: pass|fail ...".</summary>
    public async Task<IReadOnlyList<string>> VerifyAllAsync(string path)
    {
        var results = new List<string>();
        int index = 0;
        foreach (var single in SplitSignatures(path))
        {
            var selector = "sig" + index++;
            results.Add("dkimpy/" + selector + ": " + await DkimpyAsync(single));
            results.Add("opendkim/" + selector + ": " + await OpendkimAsync(single));
            results.Add("mimekit/" + selector + ": " + await MimeKitAsync(single));
            File.Delete(single);
        }

        return results;
    }

    /// <inheritdoc />
    public void Dispose() => _dir.Dispose();

    private static string Record(DkimKey key)
        => string.Concat("v=DKIM1; k=", key.Algorithm == DkimAlgorithm.Ed25519Sha256 ? "ed25519" : "rsa", "; p=", key.PublicKeyBase64());

    private async Task<string> DkimpyAsync(string path)
    {
        await using var process = ToolProcess.Start(Python, [Path.Combine(_dir.Path, "verify.py"), Path.Combine(_dir.Path, "keys.json"), path]);
        int code = await process.WaitForExitAsync(TimeSpan.FromSeconds(120));
        return code == 0 && process.StandardOutput.Trim() == "pass" ? "pass" : "fail " + process.StandardOutput.Trim() + " " + process.StandardError.Trim();
    }

    /// <summary>
    /// OpenDKIM's test mode reads the message like its milter does: whole lines, so the message is given as the
    /// forwarder sends it (with a final CRLF); and a header value as the MTA hands it over, without the exact whitespace
    /// after the colon, so <c>simple</c> header canonicalization of a field such as <c>Cc:   x</c> cannot pass. When a
    /// <c>simple</c> signature fails, dkimpy signs the same message with the same <c>c=</c> and <c>h=</c>: if OpenDKIM
    /// fails dkimpy's signature too, the result is <c>n/a</c> (OpenDKIM cannot check this one), not a pass.
    /// </summary>
    private async Task<string> OpendkimAsync(string path)
    {
        if (await OpendkimVerifiesAsync(path) is not { } failure)
        {
            return "pass";
        }

        var tags = SignatureTags(path);
        if (!tags.TryGetValue("c", out var canon) || !canon.StartsWith("simple", StringComparison.Ordinal))
        {
            return "fail " + failure;
        }

        var original = Path.Combine(_dir.Path, "original.eml");
        var theirs = Path.Combine(_dir.Path, "dkimpy-signed.eml");
        StripSignatures(path, original);
        await using (var sign = ToolProcess.Start(Python, [Path.Combine(_dir.Path, "sign.py"), _rsaKeyPath, "rsa", canon.Contains('/', StringComparison.Ordinal) ? canon : canon + "/simple", tags["h"], original, theirs]))
        {
            if (await sign.WaitForExitAsync(TimeSpan.FromSeconds(120)) != 0)
            {
                return "fail " + failure + "; dkimpy could not sign: " + sign.StandardError;
            }
        }

        return await OpendkimVerifiesAsync(theirs) is null
            ? "fail " + failure + " (but OpenDKIM passes dkimpy's own signature)"
            : "n/a: OpenDKIM's test mode fails dkimpy's own " + canon + " signature of this message too";
    }

    private async Task<string?> OpendkimVerifiesAsync(string path)
    {
        var wire = Path.Combine(_dir.Path, "wire.eml");
        File.Copy(path, wire, overwrite: true);
        using (var stream = new FileStream(wire, FileMode.Open, FileAccess.ReadWrite))
        {
            var last = new byte[2];
            stream.Seek(-2, SeekOrigin.End);
            stream.ReadExactly(last);
            if (last[0] != (byte)'\r' || last[1] != (byte)'\n')
            {
                stream.Write("\r\n"u8);
            }
        }

        await using var process = ToolProcess.Start(Opendkim, ["-x", Path.Combine(_dir.Path, "opendkim.conf"), "-t", wire]);
        await process.WaitForExitAsync(TimeSpan.FromSeconds(120));
        var output = (process.StandardOutput + process.StandardError).Trim();
        return output.Contains(") succeeded", StringComparison.Ordinal) ? null : output;
    }

    /// <summary>The tags of the (first) DKIM-Signature field, whitespace removed.</summary>
    private static Dictionary<string, string> SignatureTags(string path)
    {
        var field = Header(path).First(f => f.Name.Equals("DKIM-Signature", StringComparison.OrdinalIgnoreCase));
        var value = System.Text.Encoding.ASCII.GetString(field.Raw.Span);
        value = string.Concat(value[(value.IndexOf(':', StringComparison.Ordinal) + 1)..].Where(c => !char.IsWhiteSpace(c)));
        return value.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(t => t.Split('=', 2)).ToDictionary(t => t[0], t => t.Length > 1 ? t[1] : "");
    }

    private static void StripSignatures(string path, string target)
    {
        long offset = 0;
        long skip = 0;
        foreach (var field in Header(path))
        {
            offset += field.Raw.Length;
            if (field.Name.Equals("DKIM-Signature", StringComparison.OrdinalIgnoreCase))
            {
                skip = offset;
            }
        }

        using var input = File.OpenRead(path);
        using var output = File.Create(target);
        input.Position = skip;
        input.CopyTo(output);
    }

    private static IReadOnlyList<DkimHeaderField> Header(string path)
    {
        using var stream = File.OpenRead(path);
        var reader = new DkimHeaderReader();
        var buffer = new byte[64 * 1024];
        int read;
        while (!reader.IsComplete && (read = stream.Read(buffer)) > 0)
        {
            reader.Append(buffer.AsSpan(0, read));
        }

        reader.Finish();
        return reader.Fields();
    }

    private async Task<string> MimeKitAsync(string path)
    {
        using var message = await MimeMessage.LoadAsync(path);
        var verifier = new DkimVerifier(new Locator(_records));
        verifier.Enable(DkimSignatureAlgorithm.Ed25519Sha256);
        var header = message.Headers.FirstOrDefault(h => h.Id == HeaderId.DkimSignature);
        if (header is null)
        {
            return "fail no signature";
        }

        return await verifier.VerifyAsync(message, header) ? "pass" : "fail";
    }

    /// <summary>One copy of the message per DKIM-Signature field at its top, with only that field.</summary>
    private List<string> SplitSignatures(string path)
    {
        var fields = new List<(long Start, long End)>();
        long offset = 0;
        foreach (var field in Header(path))
        {
            if (field.Name.Equals("DKIM-Signature", StringComparison.OrdinalIgnoreCase))
            {
                fields.Add((offset, offset + field.Raw.Length));
            }

            offset += field.Raw.Length;
        }

        var copies = new List<string>();
        foreach (var keep in fields)
        {
            var copy = Path.Combine(_dir.Path, "single." + copies.Count + ".eml");
            using (var input = File.OpenRead(path))
            using (var output = File.Create(copy))
            {
                long position = 0;
                foreach (var field in fields)
                {
                    CopyRange(input, output, position, field.Start);
                    if (field == keep)
                    {
                        CopyRange(input, output, field.Start, field.End);
                    }

                    position = field.End;
                }

                input.Position = position;
                input.CopyTo(output);
            }

            copies.Add(copy);
        }

        return copies;
    }

    private static void CopyRange(FileStream input, FileStream output, long start, long end)
    {
        input.Position = start;
        var buffer = new byte[(int)(end - start)];
        input.ReadExactly(buffer);
        output.Write(buffer);
    }

    private sealed class Locator(IReadOnlyDictionary<string, string> records) : DkimPublicKeyLocatorBase
    {
        public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default)
            => GetPublicKey(records.TryGetValue(selector + "._domainkey." + domain, out var record) ? record : throw new InvalidOperationException("no key for " + selector + "." + domain));

        public override Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default)
            => Task.FromResult(LocatePublicKey(methods, domain, selector, cancellationToken));
    }

    /// <summary>Text for a failure message: the results that are not passes.</summary>
    public static string Failures(IEnumerable<string> results) => string.Join("\n", results.Where(r => !Passed(r)));

    /// <summary>A pass, or OpenDKIM's n/a where it fails dkimpy's own signature the same way.</summary>
    public static bool Passed(string result)
        => result.EndsWith(": pass", StringComparison.Ordinal) || (result.StartsWith("opendkim/", StringComparison.Ordinal) && result.Contains(": n/a: ", StringComparison.Ordinal));
}
