
namespace EmailRelay.Testing.Tools;

/// <summary>
/// An <c>aiosmtpd</c> SMTP server (Debian's <c>python3-aiosmtpd</c> under <c>/usr/bin/python3</c>) on a
/// free loopback port that records every message it accepts into a directory: the content as
/// <c>&lt;n&gt;.eml</c> and the envelope as <c>&lt;n&gt;.json</c> (<c>{"from": ..., "to": [...]}</c>), each
/// written under a temporary name and renamed, so a visible <c>.json</c> means a complete message.
/// Closing its stdin stops it; dispose does that, then kills it if needed.
/// </summary>
public sealed class AiosmtpdServer : AiosmtpdProcess
{
    private const string Script = """
        import json, os, sys, threading
        from aiosmtpd.controller import Controller
        directory, port = sys.argv[1], int(sys.argv[2])
        lock = threading.Lock()
        count = [0]
        class Recorder:
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
        controller = Controller(Recorder(), hostname="127.0.0.1", port=port, enable_SMTPUTF8=True)
        controller.start()
        print("listening %d" % port, flush=True)
        sys.stdin.read()
        controller.stop()
        """;

    private AiosmtpdServer(ToolProcess process, int port, string directory)
        : base(process, port, directory)
    {
    }

    /// <summary>Starts a server recording into <paramref name="directory"/> (which must exist); retries on a port conflict.</summary>
    public static async Task<AiosmtpdServer> StartAsync(string directory)
    {
        var (process, port) = await StartScriptAsync(Script, directory, []);
        return new AiosmtpdServer(process, port, directory);
    }
}
