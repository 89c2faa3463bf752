namespace EmailRelay.Testing.Tools;

/// <summary>
/// A small Python SMTP server that answers every connection with one greeting (<c>421 busy</c> by default) and closes
/// it, counting connections in <c>connections.log</c> in its directory: the busy first host of a failover test.
/// </summary>
public sealed class GreetingRefusalServer : AiosmtpdProcess
{
    private const string Script = """
        import os, socket, sys, threading
        directory, port, greeting = sys.argv[1], int(sys.argv[2]), sys.argv[3]
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(16)
        def serve():
            while True:
                connection, _ = listener.accept()
                with open(os.path.join(directory, "connections.log"), "a") as f:
                    f.write("connection\n")
                connection.sendall((greeting + "\r\n").encode())
                connection.close()
        threading.Thread(target=serve, daemon=True).start()
        print("listening %d" % port, flush=True)
        sys.stdin.read()
        """;

    private GreetingRefusalServer(ToolProcess process, int port, string directory)
        : base(process, port, directory)
    {
    }

    /// <summary>How many connections it has answered.</summary>
    public int Connections => File.Exists(Path.Combine(Directory, "connections.log")) ? File.ReadAllLines(Path.Combine(Directory, "connections.log")).Length : 0;

    /// <summary>Starts a server that greets with <paramref name="greeting"/> and closes, recording into <paramref name="directory"/> (which must exist).</summary>
    public static async Task<GreetingRefusalServer> StartAsync(string directory, string greeting = "421 busy: try later")
    {
        var (process, port) = await StartScriptAsync(Script, directory, [greeting]);
        return new GreetingRefusalServer(process, port, directory);
    }
}
