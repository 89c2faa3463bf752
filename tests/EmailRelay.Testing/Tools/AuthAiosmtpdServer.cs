using System.Text.Json;

namespace EmailRelay.Testing.Tools;

/// <summary>
/// An <c>aiosmtpd</c> server (Debian's <c>python3-aiosmtpd</c>) with STARTTLS (<c>tls_context</c>,
/// <c>require_starttls</c>) and AUTH (<c>authenticator</c>, <c>auth_require_tls</c>): PLAIN and LOGIN built in,
/// CRAM-MD5/SHA1/SHA256/SHA512 and XOAUTH2 as handler mechanisms, each checking one user's password (the token for
/// XOAUTH2). It records messages like <see cref="AiosmtpdServer"/>, plus <c>&lt;n&gt;.session</c> with the MAIL
/// parameters, whether TLS was on and the authenticated login, and appends each AUTH attempt to <c>auth.log</c>
/// (<c>MECHANISM ok|fail</c>). aiosmtpd itself refuses <c>AUTH=</c> on MAIL (555); the script accepts it, and
/// records it upper-cased like every MAIL parameter.
/// </summary>
public sealed class AuthAiosmtpdServer : AiosmtpdProcess
{
    private const string Script = """
        import base64, hashlib, hmac, json, os, ssl, sys, threading, time
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword, MISSING, SMTP
        # aiosmtpd refuses MAIL parameters it does not implement (555), AUTH= among them (RFC 4954 section 5):
        # accept and ignore it; it stays in envelope.mail_options, upper-cased as aiosmtpd records every parameter.
        original_getparams = SMTP._getparams
        def getparams(self, params):
            result = original_getparams(self, params)
            if result is not None:
                result.pop("AUTH", None)
            return result
        SMTP._getparams = getparams
        directory, port, cert, key, user, password, exclude, refuse, tls = sys.argv[1:10]
        port = int(port)
        exclude = [m for m in exclude.split(",") if m]
        refuse = set(m for m in refuse.split(",") if m)
        lock = threading.Lock()
        count = [0]
        def note(mechanism, ok):
            with lock:
                with open(os.path.join(directory, "auth.log"), "a") as f:
                    f.write("%s %s\n" % (mechanism, "ok" if ok else "fail"))
            return AuthResult(success=ok, handled=False, auth_data=LoginPassword(user.encode(), b"") if ok else None)
        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = mechanism not in refuse and isinstance(auth_data, LoginPassword) \
                and auth_data.login == user.encode() and auth_data.password == password.encode()
            return note(mechanism, ok)
        class Handler:
            async def handle_DATA(self, server, session, envelope):
                with lock:
                    count[0] += 1
                    n = count[0]
                base = os.path.join(directory, "%06d" % n)
                with open(base + ".session", "w") as f:
                    json.dump({"mail_options": envelope.mail_options, "tls": server._tls_protocol is not None,
                               "login": session.login_data.decode() if isinstance(session.login_data, bytes) else None}, f)
                with open(base + ".eml.tmp", "wb") as f:
                    f.write(envelope.original_content if envelope.original_content is not None else envelope.content)
                os.rename(base + ".eml.tmp", base + ".eml")
                with open(base + ".json.tmp", "w") as f:
                    json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos}, f)
                os.rename(base + ".json.tmp", base + ".json")
                return "250 OK message %d recorded" % n
            async def cram(self, server, name, digest):
                challenge = "<%d.%d@aiosmtpd.test>" % (os.getpid(), time.time_ns())
                response = await server.challenge_auth(challenge)
                if response is MISSING:
                    return AuthResult(success=False, handled=True)
                login, _, mac = response.decode().rpartition(" ")
                expected = hmac.new(password.encode(), challenge.encode(), digest).hexdigest()
                return note(name, name not in refuse and login == user and hmac.compare_digest(mac, expected))
            async def auth_CRAM__MD5(self, server, args):
                return await self.cram(server, "CRAM-MD5", hashlib.md5)
            async def auth_CRAM__SHA1(self, server, args):
                return await self.cram(server, "CRAM-SHA1", hashlib.sha1)
            async def auth_CRAM__SHA256(self, server, args):
                return await self.cram(server, "CRAM-SHA256", hashlib.sha256)
            async def auth_CRAM__SHA512(self, server, args):
                return await self.cram(server, "CRAM-SHA512", hashlib.sha512)
            async def auth_XOAUTH2(self, server, args):
                data = base64.b64decode(args[1]) if len(args) > 1 else await server.challenge_auth("")
                expected = ("user=%s\x01auth=Bearer %s\x01\x01" % (user, password)).encode()
                return note("XOAUTH2", "XOAUTH2" not in refuse and data == expected)
        context = None
        if tls == "starttls":
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert, key)
        controller = Controller(Handler(), hostname="127.0.0.1", port=port, tls_context=context, require_starttls=context is not None,
                                authenticator=authenticator, auth_require_tls=context is not None, auth_exclude_mechanism=exclude)
        controller.start()
        print("listening %d" % port, flush=True)
        sys.stdin.read()
        controller.stop()
        """;

    private AuthAiosmtpdServer(ToolProcess process, int port, string directory)
        : base(process, port, directory)
    {
    }

    /// <summary>The AUTH attempts so far, e.g. <c>CRAM-SHA512 fail</c>, <c>PLAIN ok</c>.</summary>
    public IReadOnlyList<string> AuthAttempts => File.Exists(Path.Combine(Directory, "auth.log"))
        ? File.ReadAllLines(Path.Combine(Directory, "auth.log"))
        : [];

    /// <summary>
    /// Starts a server recording into <paramref name="directory"/> (which must exist). <paramref name="certificates"/> null
    /// means no STARTTLS (and AUTH without TLS); <paramref name="exclude"/> lists mechanisms not to advertise,
    /// <paramref name="refuse"/> mechanisms that always fail.
    /// </summary>
    public static async Task<AuthAiosmtpdServer> StartAsync(string directory, TestCertificates? certificates, string user, string password,
        IEnumerable<string>? exclude = null, IEnumerable<string>? refuse = null)
    {
        var (process, port) = await StartScriptAsync(Script, directory,
        [
            certificates?.ServerCertificate ?? "", certificates?.ServerKey ?? "", user, password,
            string.Join(',', exclude ?? []), string.Join(',', refuse ?? []), certificates is null ? "none" : "starttls",
        ]);
        return new AuthAiosmtpdServer(process, port, directory);
    }

    /// <summary>The session facts recorded with message <paramref name="index"/> (0-based): MAIL parameters, TLS, login.</summary>
    public (IReadOnlyList<string> MailOptions, bool Tls, string? Login) Session(int index)
    {
        var file = System.IO.Directory.GetFiles(Directory, "*.session").Order(StringComparer.Ordinal).ElementAt(index);
        using var document = JsonDocument.Parse(File.ReadAllBytes(file));
        var root = document.RootElement;
        var options = root.GetProperty("mail_options").EnumerateArray().Select(e => e.GetString() ?? "").ToList();
        var login = root.GetProperty("login");
        return (options, root.GetProperty("tls").GetBoolean(), login.ValueKind == JsonValueKind.Null ? null : login.GetString());
    }
}
