using System.Globalization;
using System.Text.Json;

namespace EmailRelay.Testing.Tools;

/// <summary>
/// An OAuth 2.0 token endpoint and the SMTP server that trusts it, in one Python process (aiosmtpd from Debian's
/// <c>python3-aiosmtpd</c>, and <c>http.server</c>): <c>POST /token</c> answers RFC 6749 responses for the
/// refresh-token and client-credentials grants of one client (<c>client_id</c>, <c>client_secret</c>,
/// <c>refresh_token</c> given at start), issuing a new random token each time with <c>expires_in</c>; the SMTP
/// server offers XOAUTH2 and OAUTHBEARER (one can be hidden) and accepts a bearer token only if the endpoint issued it
/// for the user and it has not expired or been revoked, answering a refusal with the JSON error challenge as Gmail
/// does. A rules file the test rewrites (<see cref="SetRules"/>) can make the endpoint answer an error
/// (<c>{"error": "invalid_grant"}</c>), be down (<c>{"down": true}</c>: 503 with no JSON), change the lifetime, revoke
/// every issued token, or accept extra tokens. Token requests go to <c>tokens.log</c> (one JSON form per line), AUTH
/// attempts to <c>auth.log</c> (<c>MECHANISM ok|fail</c>); messages are recorded as <see cref="AiosmtpdServer"/> does.
/// </summary>
public sealed class OAuthUpstream : AiosmtpdProcess
{
    private const string Script = """
        import base64, json, os, secrets, sys, threading, time, urllib.parse
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword, MISSING, SMTP
        # aiosmtpd refuses MAIL parameters it does not implement (555), AUTH= among them (RFC 4954 section 5): ignore it.
        original_getparams = SMTP._getparams
        def getparams(self, params):
            result = original_getparams(self, params)
            if result is not None:
                result.pop("AUTH", None)
            return result
        SMTP._getparams = getparams
        directory, port, http_port, user, client_id, client_secret, refresh_token, hide = sys.argv[1:9]
        port, http_port = int(port), int(http_port)
        rules_path = os.path.join(directory, "rules")
        lock = threading.Lock()
        issued = {}
        count = [0]
        def rules():
            try:
                with open(rules_path) as f:
                    return json.load(f)
            except Exception:
                return {}
        def append(name, line):
            with lock:
                with open(os.path.join(directory, name), "a") as f:
                    f.write(line + "\n")
        class Token(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass
            def answer(self, status, body):
                data = json.dumps(body).encode() if body is not None else b"service unavailable"
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if body is not None else "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in urllib.parse.parse_qs(self.rfile.read(length).decode()).items()}
                append("tokens.log", json.dumps(form))
                r = rules()
                if self.path != "/token":
                    return self.answer(404, {"error": "not_found"})
                if r.get("down"):
                    return self.answer(503, None)
                if r.get("error"):
                    return self.answer(400, {"error": r["error"], "error_description": "Token has been expired or revoked."})
                if form.get("client_id") != client_id or form.get("client_secret") != client_secret:
                    return self.answer(401, {"error": "invalid_client"})
                grant = form.get("grant_type")
                if grant == "refresh_token" and form.get("refresh_token") != refresh_token:
                    return self.answer(400, {"error": "invalid_grant", "error_description": "Bad Request"})
                if grant not in ("refresh_token", "client_credentials"):
                    return self.answer(400, {"error": "unsupported_grant_type"})
                lifetime = int(r.get("lifetime", 3600))
                token = "ya29." + secrets.token_urlsafe(24)
                with lock:
                    issued[token] = time.time() + lifetime
                append("issued.log", token)
                self.answer(200, {"access_token": token, "token_type": "Bearer", "expires_in": lifetime, "scope": form.get("scope", "")})
        def valid(login, token):
            r = rules()
            if login != user:
                return False
            if token in r.get("accept", []):
                return True
            with lock:
                expiry = issued.get(token)
            return expiry is not None and expiry > time.time() and not r.get("revoke_all")
        class Handler:
            async def handle_DATA(self, server, session, envelope):
                with lock:
                    count[0] += 1
                    n = count[0]
                base = os.path.join(directory, "%06d" % n)
                with open(base + ".eml.tmp", "wb") as f:
                    f.write(envelope.original_content if envelope.original_content is not None else envelope.content)
                os.rename(base + ".eml.tmp", base + ".eml")
                with open(base + ".json.tmp", "w") as f:
                    json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos}, f)
                os.rename(base + ".json.tmp", base + ".json")
                return "250 OK message %d recorded" % n
            async def bearer(self, server, args, name, parse):
                data = base64.b64decode(args[1]) if len(args) > 1 and args[1] != "=" else await server.challenge_auth("")
                if data is MISSING:
                    return AuthResult(success=False, handled=False)
                login, token = parse(data.decode())
                ok = valid(login, token)
                append("auth.log", "%s %s" % (name, "ok" if ok else "fail"))
                if not ok:
                    challenge = json.dumps({"status": "401", "schemes": "bearer", "scope": "https://mail.google.com/"})
                    await server.challenge_auth(challenge)
                    return AuthResult(success=False, handled=False)
                return AuthResult(success=True, handled=False, auth_data=LoginPassword(login.encode(), b""))
            async def auth_XOAUTH2(self, server, args):
                def parse(text):
                    fields = dict(p.split("=", 1) for p in text.split("\x01") if "=" in p)
                    return fields.get("user"), fields.get("auth", "").removeprefix("Bearer ")
                return await self.bearer(server, args, "XOAUTH2", parse)
            async def auth_OAUTHBEARER(self, server, args):
                def parse(text):
                    gs2, _, rest = text.partition("\x01")
                    login = [p[2:] for p in gs2.split(",") if p.startswith("a=")]
                    fields = dict(p.split("=", 1) for p in rest.split("\x01") if "=" in p)
                    return (login[0].replace("=2C", ",").replace("=3D", "=") if login else None), fields.get("auth", "").removeprefix("Bearer ")
                return await self.bearer(server, args, "OAUTHBEARER", parse)
        def refuse(server, session, envelope, mechanism, auth_data):
            return AuthResult(success=False, handled=False)
        exclude = ["PLAIN", "LOGIN"] + [m for m in hide.split(",") if m]
        controller = Controller(Handler(), hostname="127.0.0.1", port=port, authenticator=refuse, auth_require_tls=False,
                                auth_exclude_mechanism=exclude)
        controller.start()
        httpd = ThreadingHTTPServer(("127.0.0.1", http_port), Token)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        print("listening %d" % port, flush=True)
        sys.stdin.read()
        httpd.shutdown()
        controller.stop()
        """;

    private OAuthUpstream(ToolProcess process, int port, int httpPort, string directory)
        : base(process, port, directory)
    {
        HttpPort = httpPort;
    }

    /// <summary>The token endpoint's port.</summary>
    public int HttpPort { get; }

    /// <summary>The token endpoint, <c>http://127.0.0.1:&lt;port&gt;/token</c>.</summary>
    public string TokenUrl => "http://127.0.0.1:" + HttpPort.ToString(CultureInfo.InvariantCulture) + "/token";

    /// <summary>The token requests so far: each one's form fields.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> TokenRequests => Lines("tokens.log")
        .Select(l => (IReadOnlyDictionary<string, string>)JsonSerializer.Deserialize<Dictionary<string, string>>(l)!).ToList();

    /// <summary>The access tokens issued so far.</summary>
    public IReadOnlyList<string> IssuedTokens => Lines("issued.log");

    /// <summary>The AUTH attempts so far, e.g. <c>XOAUTH2 ok</c>.</summary>
    public IReadOnlyList<string> AuthAttempts => Lines("auth.log");

    /// <summary>
    /// Starts the pair for one user and client, recording into <paramref name="directory"/> (which must exist);
    /// <paramref name="hide"/> names mechanisms not to advertise (e.g. <c>XOAUTH2</c> for an OAUTHBEARER-only server).
    /// </summary>
    public static async Task<OAuthUpstream> StartAsync(string directory, string user, string clientId, string clientSecret, string refreshToken, string hide = "")
    {
        for (var attempt = 1; ; attempt++)
        {
            var httpPort = FreePort.Get();
            try
            {
                var (process, port) = await StartScriptAsync(Script, directory, [httpPort.ToString(CultureInfo.InvariantCulture), user, clientId, clientSecret, refreshToken, hide]);
                return new OAuthUpstream(process, port, httpPort, directory);
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // Either port was taken meanwhile: both are picked again.
            }
        }
    }

    /// <summary>Replaces the rules (JSON), read on every request: <c>{"error": "invalid_grant"}</c>, <c>{"down": true}</c>, <c>{"lifetime": 60}</c>, <c>{"revoke_all": true}</c>, <c>{"accept": ["tok"]}</c>, or <c>{}</c>.</summary>
    public void SetRules(string json)
    {
        var path = Path.Combine(Directory, "rules");
        File.WriteAllText(path + ".tmp", json);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private List<string> Lines(string name)
    {
        var path = Path.Combine(Directory, name);
        return File.Exists(path) ? [.. File.ReadAllLines(path)] : [];
    }
}
