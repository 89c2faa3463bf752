using BenchmarkDotNet.Attributes;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;

namespace EmailRelay.Benchmarks;

/// <summary>Envelope read and write (the forwarder reads one per message, the server writes one).</summary>
[MemoryDiagnoser]
public class EnvelopeFormatBenchmarks
{
    private readonly Envelope _envelope = new()
    {
        From = "alice@example.com",
        ToRemote = ["bob@example.net", "carol@example.net"],
        Authentication = "alice",
        ClientAddress = "127.0.0.1",
        Trailer = ["X-MailRelay-Reason: one or more recipients rejected", "X-MailRelay-ReasonCode: 550"],
    };

    private byte[] _file = [];

    [GlobalSetup]
    public void Setup() => _file = EnvelopeFormat.Write(_envelope);

    [Benchmark]
    public byte[] Write() => EnvelopeFormat.Write(_envelope);

    [Benchmark]
    public Envelope? Read() => EnvelopeFormat.Read(_file).Envelope;
}
