using System.IO.Pipelines;
using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using EmailRelay.Protocol.Mail;
using EmailRelay.Smtp.Server;
using EmailRelay.Spool;
using EmailRelay.Verifiers;
using Microsoft.Extensions.Logging.Abstractions;

namespace EmailRelay.Benchmarks;

/// <summary>
/// One whole SMTP session through the real driver over in-memory pipes: EHLO, MAIL, RCPT, DATA with a
/// 100 KB body, QUIT, pipelined in one send, into a spool that discards content.
/// </summary>
[MemoryDiagnoser]
public class SmtpSessionBenchmarks
{
    private readonly SmtpServerOptions _options = new();
    private SmtpServerServices _services = null!;
    private byte[] _script = [];

    [GlobalSetup]
    public void Setup()
    {
        _services = new SmtpServerServices(new DiscardSpool(), new AcceptVerifier(), null, TimeProvider.System, NullLogger.Instance);
        var body = new StringBuilder();
        while (body.Length < 100 * 1024)
        {
            body.Append("The quick brown fox jumps over the lazy dog, again and again and again.\r\n");
        }

        _script = Encoding.ASCII.GetBytes("EHLO bench.example.com\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n" + body + ".\r\nQUIT\r\n");
    }

    [Benchmark]
    public async Task<long> EhloToQuitWith100KbBody()
    {
        var toServer = new Pipe();
        var toClient = new Pipe();
        using var connection = new SmtpServerConnection(new DuplexStream(toServer.Reader.AsStream(), toClient.Writer.AsStream()), new IPEndPoint(IPAddress.Loopback, 1), 1, _options, _services);
        var server = connection.RunAsync(CancellationToken.None);
        await toServer.Writer.WriteAsync(_script);
        long received = 0;
        while (true)
        {
            var result = await toClient.Reader.ReadAsync();
            received += result.Buffer.Length;
            toClient.Reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        await server;
        return received;
    }

    private sealed class DuplexStream(Stream input, Stream output) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => output.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => output.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => input.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => input.ReadAsync(buffer, cancellationToken);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => output.WriteAsync(buffer, cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => output.Write(buffer, offset, count);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                output.Dispose();
                input.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    private sealed class AcceptVerifier : IAddressVerifier
    {
        public Task<VerifierResult> VerifyAsync(VerifierRequest request, CancellationToken cancellationToken) => Task.FromResult(VerifierResult.AcceptRemote(request.Address));
    }

    private sealed class DiscardSpool : IMessageSpool
    {
        private int _sequence;

        public event EventHandler? Changed;

        public ValueTask<INewMessage> CreateAsync(CancellationToken cancellationToken)
            => ValueTask.FromResult<INewMessage>(new DiscardMessage(new MessageId("bench." + Interlocked.Increment(ref _sequence))));

        public IAsyncEnumerable<MessageId> ListAsync(SpoolView view, CancellationToken cancellationToken) => AsyncEnumerable.Empty<MessageId>();

        public ValueTask<IStoredMessage?> TryLockAsync(MessageId id, CancellationToken cancellationToken) => ValueTask.FromResult<IStoredMessage?>(null);

        public ValueTask<int> UnfailAllAsync(CancellationToken cancellationToken)
        {
            Changed?.Invoke(this, EventArgs.Empty);
            return ValueTask.FromResult(0);
        }

        public ValueTask<int> RecoverAsync(CancellationToken cancellationToken) => ValueTask.FromResult(0);

        public IClaimGroup CreateClaimGroup() => throw new NotSupportedException("the benchmark's spool keeps no messages to claim");
    }

    private sealed class DiscardMessage(MessageId id) : INewMessage
    {
        public MessageId Id { get; } = id;

        public long ContentLength { get; private set; }

        public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            ContentLength += data.Length;
            return ValueTask.CompletedTask;
        }

        public ValueTask PrepareAsync(Envelope envelope, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask<bool> CommitAsync(CancellationToken cancellationToken) => ValueTask.FromResult(true);

        public IFilterMessage AsFilterMessage() => throw new NotSupportedException("the benchmark runs no filters");

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
