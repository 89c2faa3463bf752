using BenchmarkDotNet.Attributes;
using EmailRelay.Protocol.Smtp.Server;

namespace EmailRelay.Benchmarks;

/// <summary>Command line parsing: zero allocations for verbs without envelope arguments.</summary>
[MemoryDiagnoser]
public class SmtpCommandParserBenchmarks
{
    private readonly byte[] _noop = "NOOP"u8.ToArray();
    private readonly byte[] _rset = "RSET"u8.ToArray();
    private readonly byte[] _data = "DATA"u8.ToArray();
    private readonly byte[] _bdat = "BDAT 65536 LAST"u8.ToArray();
    private readonly byte[] _mail = "MAIL FROM:<sender@example.com> SIZE=102400 BODY=8BITMIME"u8.ToArray();
    private readonly byte[] _rcpt = "RCPT TO:<recipient@example.org>"u8.ToArray();
    private readonly byte[] _unknown = "XYZZY plugh"u8.ToArray();

    [Benchmark(Baseline = true)]
    public int Noop() => Parse(_noop);

    [Benchmark]
    public int Rset() => Parse(_rset);

    [Benchmark]
    public int Data() => Parse(_data);

    [Benchmark]
    public int Bdat() => Parse(_bdat);

    [Benchmark]
    public int Unknown() => Parse(_unknown);

    /// <summary>Allocates the address string only (it goes into the envelope).</summary>
    [Benchmark]
    public int Mail() => Parse(_mail);

    /// <summary>Allocates the address string only (it goes into the envelope).</summary>
    [Benchmark]
    public int Rcpt() => Parse(_rcpt);

    private static int Parse(byte[] line)
    {
        SmtpCommandParser.TryParse(line, SmtpServerPolicy.Default, out var command, out _);
        return (int)command.Verb;
    }
}
