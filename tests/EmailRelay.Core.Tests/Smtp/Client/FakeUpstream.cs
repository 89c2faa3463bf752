using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace EmailRelay.Core.Tests.Smtp.Client;

/// <summary>
/// An in-memory upstream SMTP server for driver tests: replies from a script (command → reply), reads DATA to
/// <c>CRLF.CRLF</c>, and records every write the client made (to check write sizes) and every message body.
/// </summary>
internal sealed class FakeUpstream
{
    private readonly Pipe _toServer = new();
    private readonly Pipe _toClient = new();
    private readonly Func<string, string?> _script;

    public FakeUpstream(Func<string, string?>? script = null, string? greeting = "220 fake ready")
    {
        _script = script ?? (_ => null);
        ClientStream = new ClientSide(this);
        Served = ServeAsync(greeting);
    }

    public Stream ClientStream { get; }

    public Task Served { get; }

    public List<byte[]> ClientWrites { get; } = [];

    public List<string> Commands { get; } = [];

    public List<byte[]> Bodies { get; } = [];

    public int Connections { get; set; } = 1;

    private static string DefaultReply(string command) =>
        command.StartsWith("EHLO", StringComparison.Ordinal) ? "250-fake\r\n250-8BITMIME\r\n250 PIPELINING"
        : command == "DATA" ? "354 go ahead"
        : command == "QUIT" ? "221 bye"
        : "250 ok";

    private async Task ServeAsync(string? greeting)
    {
        var reader = _toServer.Reader;
        var writer = _toClient.Writer;
        if (greeting is not null)
        {
            await writer.WriteAsync(Encoding.ASCII.GetBytes(greeting + "\r\n"));
        }

        var data = false;
        var body = new MemoryStream();
        while (true)
        {
            var result = await reader.ReadAsync();
            var buffer = result.Buffer;
            while (true)
            {
                var bytes = buffer.ToArray();
                var lf = Array.IndexOf(bytes, (byte)'\n');
                if (lf < 0)
                {
                    break;
                }

                var line = Encoding.ASCII.GetString(bytes, 0, lf + 1);
                buffer = buffer.Slice(lf + 1);
                if (data)
                {
                    if (line == ".\r\n")
                    {
                        data = false;
                        Bodies.Add(body.ToArray());
                        body.SetLength(0);
                        await ReplyAsync(writer, "<dot>");
                    }
                    else
                    {
                        body.Write(Encoding.ASCII.GetBytes(line));
                    }

                    continue;
                }

                var command = line.TrimEnd('\r', '\n');
                Commands.Add(command);
                var reply = await ReplyAsync(writer, command);
                data = command == "DATA" && reply.StartsWith('3');
                if (command == "QUIT" || reply == "<drop>")
                {
                    await writer.CompleteAsync();
                    return;
                }
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                await writer.CompleteAsync();
                return;
            }
        }
    }

    private async Task<string> ReplyAsync(PipeWriter writer, string command)
    {
        var reply = _script(command) ?? DefaultReply(command);
        if (reply is "<silent>" or "<drop>")
        {
            return reply;
        }

        await writer.WriteAsync(Encoding.ASCII.GetBytes(reply + "\r\n"));
        return reply;
    }

    private sealed class ClientSide(FakeUpstream owner) : Stream
    {
        private readonly Stream _input = owner._toClient.Reader.AsStream();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _input.ReadAsync(buffer, cancellationToken);

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            lock (owner.ClientWrites)
            {
                owner.ClientWrites.Add(buffer.ToArray());
            }

            await owner._toServer.Writer.WriteAsync(buffer, cancellationToken);
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override async ValueTask DisposeAsync()
        {
            await owner._toServer.Writer.CompleteAsync();
            await base.DisposeAsync();
        }
    }
}
