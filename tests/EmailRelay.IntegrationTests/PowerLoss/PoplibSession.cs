using System.Globalization;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.PowerLoss;

/// <summary>
/// One POP session by Python's <c>poplib</c> as <c>alice</c>/<c>alice-pw</c>: prints <c>stat N</c>, a <c>uid</c> line per
/// message, <c>dele +OK…</c> for each message number given, then <c>quit +OK…</c>.
/// </summary>
internal static class PoplibSession
{
    private const string Script = """
        import poplib, sys
        p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=30)
        p.user("alice")
        p.pass_("alice-pw")
        print("stat %d" % p.stat()[0])
        for line in p.uidl()[1]:
            print("uid " + line.decode())
        for n in sys.argv[2:]:
            print("dele " + p.dele(int(n)).decode())
        print("quit " + p.quit().decode())
        """;

    /// <summary>Runs the session, deleting <paramref name="delete"/>, and returns what it printed; fails the test if poplib does.</summary>
    public static async Task<string> RunAsync(int port, params int[] delete)
    {
        string[] arguments = ["-c", Script, port.ToString(CultureInfo.InvariantCulture), .. delete.Select(n => n.ToString(CultureInfo.InvariantCulture))];
        await using var process = ToolProcess.Start(PythonSmtp.Python, arguments, standardInput: "");
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var text = process.StandardOutput + process.StandardError;
        Assert.True(exit == 0, "poplib failed: " + text);
        return text;
    }
}
