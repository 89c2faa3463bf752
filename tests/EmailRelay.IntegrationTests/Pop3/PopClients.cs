using System.Diagnostics;
using System.Globalization;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Pop3;

/// <summary>Python's <c>poplib</c> (a client we did not write) as a test tool.</summary>
internal static class PopClients
{
    // Saves each retrieved message, exactly as poplib returns it (lines re-joined with CRLF), as <uid>.
    private const string Script = """
        import poplib, sys, os, hashlib
        port, user, password, mode, out, dele = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6] == "1"
        p = poplib.POP3("127.0.0.1", port, timeout=30)
        if mode == "apop":
            p.apop(user, password)
        else:
            p.user(user)
            p.pass_(password)
        count, size = p.stat()
        uids = {}
        for line in p.uidl()[1]:
            n, uid = line.decode().split(" ", 1)
            uids[int(n)] = uid
        for n in range(1, count + 1):
            resp, lines, octets = p.retr(n)
            with open(os.path.join(out, uids[n]), "wb") as f:
                f.write(b"".join(l + b"\r\n" for l in lines))
            if dele:
                p.dele(n)
        print("retrieved %d" % count)
        p.quit()
        """;

    public static async Task<ToolResult> PoplibAsync(int port, string user, string password, string outDirectory, bool apop = false, bool delete = true)
    {
        string[] arguments = ["-c", Script, port.ToString(CultureInfo.InvariantCulture), user, password, apop ? "apop" : "user", outDirectory, delete ? "1" : "0"];
        var started = Stopwatch.GetTimestamp();
        await using var process = ToolProcess.Start(PythonSmtp.Python, arguments, standardInput: "");
        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return new ToolResult(exitCode, process.StandardOutput + process.StandardError, Stopwatch.GetElapsedTime(started));
    }
}
