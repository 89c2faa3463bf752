using System.Text.Json;

namespace EmailRelay.Testing.Tools;

/// <summary>
/// An <c>aiosmtpd</c> server (as <see cref="AiosmtpdServer"/>) whose replies a test scripts through a rules file it
/// re-reads on every command: <c>{"rcpt": {"addr": "550 no such user"}, "data": "554 rejected" | "drop" | "hang", "mail": "553 no"}</c>.
/// <c>drop</c> closes the connection after the content arrived, before any reply to the dot; <c>hang</c> waits a minute first. Accepted messages are
/// recorded as <c>&lt;n&gt;.eml</c> and <c>&lt;n&gt;.json</c> like <see cref="AiosmtpdServer"/>.
/// </summary>
public sealed class ScriptedAiosmtpdServer : AiosmtpdProcess
{
    private const string Script = """
        import asyncio, json, os, sys, threading
        from aiosmtpd.controller import Controller
        directory, port, rules_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
        lock = threading.Lock()
        count = [0]
        def rules():
            try:
                with open(rules_path) as f:
                    return json.load(f)
            except Exception:
                return {}
        class Scripted:
            async def handle_MAIL(self, server, session, envelope, address, mail_options):
                reply = rules().get("mail")
                if reply:
                    return reply
                envelope.mail_from = address
                envelope.mail_options.extend(mail_options)
                return "250 OK"
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                reply = rules().get("rcpt", {}).get(address)
                if reply:
                    return reply
                envelope.rcpt_tos.append(address)
                return "250 OK"
            async def handle_DATA(self, server, session, envelope):
                reply = rules().get("data")
                if reply == "hang":
                    await asyncio.sleep(60)
                if reply == "drop":
                    server.transport.close()
                    return "250 never seen"
                if reply:
                    return reply
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
        controller = Controller(Scripted(), hostname="127.0.0.1", port=port, enable_SMTPUTF8=True, decode_data=False)
        controller.start()
        print("listening %d" % port, flush=True)
        sys.stdin.read()
        controller.stop()
        """;

    private readonly string _rulesPath;

    private ScriptedAiosmtpdServer(ToolProcess process, int port, string directory, string rulesPath)
        : base(process, port, directory)
    {
        _rulesPath = rulesPath;
    }

    /// <summary>Starts a server recording into <paramref name="directory"/> (which must exist).</summary>
    public static async Task<ScriptedAiosmtpdServer> StartAsync(string directory)
    {
        var rulesPath = Path.Combine(directory, "rules.conf");
        var (process, port) = await StartScriptAsync(Script, directory, [rulesPath]);
        return new ScriptedAiosmtpdServer(process, port, directory, rulesPath);
    }

    /// <summary>Sets the rules: per-recipient RCPT replies, and the reply to the end of data (or <c>drop</c>).</summary>
    public void SetRules(IReadOnlyDictionary<string, string>? rcpt = null, string? data = null, string? mail = null)
    {
        var json = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["rcpt"] = rcpt ?? new Dictionary<string, string>(),
            ["data"] = data,
            ["mail"] = mail,
        });
        var temp = _rulesPath + ".tmp";
        File.WriteAllText(temp, json);
        File.Move(temp, _rulesPath, true);
    }
}
