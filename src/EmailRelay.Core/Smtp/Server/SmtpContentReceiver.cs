using System.Buffers;
using EmailRelay.Net;
using EmailRelay.Protocol.Smtp;
using EmailRelay.Protocol.Smtp.Server;
using EmailRelay.Spool;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Smtp.Server;

/// <summary>
/// The content half of an SMTP server connection: owns the message being received (created at MAIL), decodes DATA
/// (dot-unstuffing, the bare-newline policy) or copies BDAT chunks into it, counts the octets against
/// <c>--size</c>, and counts progress for the idle timer (differences 15). A write failure is remembered and the
/// rest of the content discarded, so nothing is acknowledged after it. Used by one connection's loop only.
/// </summary>
internal sealed class SmtpContentReceiver
{
    private readonly SmtpServerSession _session;
    private readonly RelayLimits _limits;
    private readonly BareNewlinePolicy _bareNewlines;
    private readonly ILogger _logger;
    private readonly Action _progressed;
    private SmtpDataDecoder? _decoder;
    private PooledBufferWriter? _dataBuffer;
    private long _progress;
    private long _chunkRemaining;
    private bool _tooBig;

    /// <summary>Creates the receiver; <paramref name="progressed"/> re-arms the idle timer.</summary>
    public SmtpContentReceiver(SmtpServerSession session, RelayLimits limits, BareNewlinePolicy bareNewlines, ILogger logger, Action progressed)
    {
        _session = session;
        _limits = limits;
        _bareNewlines = bareNewlines;
        _logger = logger;
        _progressed = progressed;
    }

    /// <summary>The message being received, from MAIL until it is committed or abandoned.</summary>
    public INewMessage? Message { get; private set; }

    /// <summary>Octets of the current content, Received line included.</summary>
    public long Stored { get; private set; }

    /// <summary>The first spool write failure of the current content, if any.</summary>
    public SpoolException? WriteFailure { get; private set; }

    /// <summary>Counts a command line as progress: the idle timer's byte count starts again.</summary>
    public void ResetProgress() => _progress = 0;

    /// <summary>Takes a new message from the spool, abandoning any previous one (reference §b: a new MAIL aborts a partial message).</summary>
    public async ValueTask BeginMessageAsync(Func<CancellationToken, ValueTask<INewMessage>> create, CancellationToken cancellationToken)
    {
        await DisposeMessageAsync();
        Message = await create(cancellationToken);
    }

    /// <summary>What the end of the content means for the session.</summary>
    public DataOutcome Outcome()
    {
        if (_decoder is { SawBareNewline: true } && _bareNewlines == BareNewlinePolicy.Reject && _session.InputMode == InputMode.Data)
        {
            return DataOutcome.BareNewline;
        }

        return _tooBig ? DataOutcome.TooBig : DataOutcome.Complete;
    }

    /// <summary>Starts a DATA, or the first BDAT chunk (when <paramref name="prefix"/>, the Received line, is given), or a further chunk.</summary>
    public async ValueTask BeginContentAsync(byte[]? prefix, CancellationToken cancellationToken)
    {
        if (_session.InputMode == InputMode.Chunk)
        {
            _chunkRemaining = _session.ChunkSize;
        }

        if (prefix is null && _session.InputMode != InputMode.Data)
        {
            return;
        }

        // A new DATA, or the first BDAT: reset the counters, then the Received line goes first.
        Log.ContentNotLogged(_logger);
        _decoder?.Reset();
        Stored = 0;
        _progress = 0;
        _tooBig = false;
        WriteFailure = null;
        if (prefix is not null)
        {
            await StoreAsync(prefix, cancellationToken);
        }
    }

    /// <summary>Decodes DATA content from <paramref name="input"/>; done at the terminating dot.</summary>
    public async ValueTask<(bool Done, ReadOnlySequence<byte> Remaining)> DecodeDataAsync(ReadOnlySequence<byte> input, CancellationToken cancellationToken)
    {
        _decoder ??= new SmtpDataDecoder(_bareNewlines);
        _dataBuffer ??= new PooledBufferWriter(_limits.ReadBufferSize);
        var done = _decoder.Decode(input, _dataBuffer, out var consumed);
        var remaining = input.Slice(consumed);
        _progress += input.Length - remaining.Length;
        await StoreAsync(_dataBuffer.WrittenMemory, cancellationToken);
        _dataBuffer.Clear();
        return (done, remaining);
    }

    /// <summary>Copies BDAT content (RFC 3030 §2: exactly chunk-size octets follow BDAT, stored raw); done at the chunk's end.</summary>
    public async ValueTask<(bool Done, ReadOnlySequence<byte> Remaining)> CopyChunkAsync(ReadOnlySequence<byte> input, CancellationToken cancellationToken)
    {
        var take = Math.Min(input.Length, _chunkRemaining);
        foreach (var segment in input.Slice(0, take))
        {
            await StoreAsync(segment, cancellationToken);
        }

        _chunkRemaining -= take;
        _progress += take;
        return (_chunkRemaining == 0, input.Slice(take));
    }

    /// <summary>Releases the decode buffer before the commit (a filter may run for long).</summary>
    public void ReleaseBuffer() => _dataBuffer?.Release();

    /// <summary>Abandons the message (its files are removed) and releases the buffer.</summary>
    public async ValueTask DisposeMessageAsync()
    {
        var message = Message;
        Message = null;
        _dataBuffer?.Release();
        if (message is not null)
        {
            await message.DisposeAsync();
        }
    }

    // Appends content unless over --size or after a write failure (then it is counted and discarded).
    private async ValueTask StoreAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_progress >= _limits.MinimumDataProgress)
        {
            // Differences 15: only real progress re-arms the idle timer during content.
            _progress = 0;
            _progressed();
        }

        if (data.IsEmpty)
        {
            return;
        }

        Stored += data.Length;
        var max = _session.Policy.MaxMessageSize;
        if (max > 0 && Stored > max)
        {
            // Reference §g: size includes the Received line; keep reading to the end, then 552.
            _tooBig = true;
        }

        if (_tooBig || WriteFailure is not null || Message is null)
        {
            return;
        }

        try
        {
            await Message.WriteAsync(data, cancellationToken);
        }
        catch (SpoolException e)
        {
            Log.SpoolError(_logger, e.Message, e);
            WriteFailure = e;
        }
    }
}
