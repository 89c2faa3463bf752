using System.Buffers;

namespace EmailRelay.Protocol.Smtp;

/// <summary>
/// Incremental decoder for SMTP DATA content (RFC 5321 §4.5.2): removes dot-stuffing and finds the
/// end-of-data marker, which is recognised <em>only</em> as <c>&lt;CRLF&gt;.&lt;CRLF&gt;</c>
/// (differences.md 7, SMTP smuggling). The data starts at the start of a line, so an input that
/// begins with <c>.&lt;CRLF&gt;</c> is an empty message.
/// </summary>
/// <remarks>
/// <para>Rules, one line start at a time:</para>
/// <list type="bullet">
/// <item>A <em>real</em> line start is the start of the data or the position after a CRLF. A
/// <em>bare</em> line start is the position after a bare CR or bare LF; it exists only under
/// <see cref="BareNewlinePolicy.Normalise"/> and <see cref="BareNewlinePolicy.Reject"/>, where bare
/// line endings are written as CRLF. Under <see cref="BareNewlinePolicy.Keep"/> a bare CR or LF is
/// content, written as received, and does not start a line.</item>
/// <item>A <c>.</c> at any line start followed by a byte other than CR or LF is a stuffing dot and is
/// removed (<c>..x</c> becomes <c>.x</c>, <c>.x</c> becomes <c>x</c>).</item>
/// <item>A <c>.</c> at a real line start followed by CRLF is the end marker; nothing of it is written.</item>
/// <item>Any other <c>.</c> followed by CR or LF (a "dot line" that is not the end marker, such as
/// <c>&lt;LF&gt;.&lt;LF&gt;</c>, <c>&lt;CRLF&gt;.&lt;LF&gt;</c> or <c>&lt;CR&gt;.&lt;CRLF&gt;</c>) is kept: the dot is
/// written, then the line ending as the policy says. So under Normalise
/// <c>a&lt;LF&gt;.&lt;LF&gt;b</c> is stored as <c>a&lt;CRLF&gt;.&lt;CRLF&gt;b</c>, and a forwarding client
/// re-stuffs that dot; the message does not end.</item>
/// </list>
/// <para>Calling sequence: construct (or <see cref="Reset"/>) at the 354 reply; call
/// <see cref="Decode"/> with each batch of input until it returns true; the bytes after
/// <c>consumed</c> are the next pipelined command. Only O(1) state is carried between calls (the
/// bytes of a partly seen CR, dot or dot-CR are held as state and written once resolved); input is
/// never buffered.</para>
/// </remarks>
internal sealed class SmtpDataDecoder
{
    private const byte Cr = (byte)'\r';
    private const byte Lf = (byte)'\n';
    private const byte Dot = (byte)'.';

    private static readonly SearchValues<byte> s_lineEndings = SearchValues.Create("\r\n"u8);

    private readonly BareNewlinePolicy _policy;
    private State _state;

    /// <summary>Creates a decoder positioned at the start of the data.</summary>
    public SmtpDataDecoder(BareNewlinePolicy policy)
    {
        _policy = policy;
        _state = State.RealLineStart;
    }

    private enum State
    {
        MidLine,
        MidLineCr,
        RealLineStart,
        BareLineStart,
        RealDot,
        RealDotCr,
        BareDot,
        Complete,
    }

    /// <summary>True if a bare CR or bare LF was seen under <see cref="BareNewlinePolicy.Reject"/>
    /// (the session then answers 550 at the end of data). Always false under the other policies.</summary>
    public bool SawBareNewline { get; private set; }

    /// <summary>The number of bytes written to the output so far for this message.</summary>
    public long DecodedLength { get; private set; }

    /// <summary>Decodes the next piece of DATA input.</summary>
    /// <param name="input">Received bytes not yet passed to the decoder.</param>
    /// <param name="output">Receives the decoded content.</param>
    /// <param name="consumed">How far <paramref name="input"/> was used: its end unless the end
    /// marker was found, else the position just after the marker's final LF.</param>
    /// <returns>True once the end marker has been consumed (then also on every later call until
    /// <see cref="Reset"/>, consuming nothing).</returns>
    public bool Decode(in ReadOnlySequence<byte> input, IBufferWriter<byte> output, out SequencePosition consumed)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_state == State.Complete)
        {
            consumed = input.Start;
            return true;
        }

        if (input.IsSingleSegment)
        {
            int used = DecodeSpan(input.FirstSpan, output);
            consumed = input.GetPosition(used);
            return _state == State.Complete;
        }

        long total = 0;
        foreach (ReadOnlyMemory<byte> memory in input)
        {
            total += DecodeSpan(memory.Span, output);
            if (_state == State.Complete)
            {
                consumed = input.GetPosition(total);
                return true;
            }
        }

        consumed = input.End;
        return false;
    }

    /// <summary>Prepares for a new message with the same policy.</summary>
    public void Reset()
    {
        _state = State.RealLineStart;
        SawBareNewline = false;
        DecodedLength = 0;
    }

    // Returns the number of bytes of span used. Bytes copied verbatim are collected in a run
    // [run, i) and written in one call, so ordinary CRLF text costs one copy per span.
    private int DecodeSpan(ReadOnlySpan<byte> span, IBufferWriter<byte> output)
    {
        int i = 0;
        int run = 0;
        while (i < span.Length)
        {
            switch (_state)
            {
                case State.MidLine:
                    int found = span[i..].IndexOfAny(s_lineEndings);
                    if (found < 0)
                    {
                        i = span.Length;
                        break;
                    }

                    int at = i + found;
                    if (span[at] == Cr && at + 1 < span.Length && span[at + 1] == Lf)
                    {
                        i = at + 2;
                        _state = State.RealLineStart;
                    }
                    else
                    {
                        Write(output, span[run..at]);
                        i = at + 1;
                        run = i;
                        if (span[at] == Cr)
                        {
                            _state = State.MidLineCr;
                        }
                        else
                        {
                            BareLineEnding(output, Lf);
                        }
                    }

                    break;

                case State.MidLineCr:
                    if (span[i] == Lf)
                    {
                        Write(output, "\r\n"u8);
                        run = ++i;
                        _state = State.RealLineStart;
                    }
                    else
                    {
                        BareLineEnding(output, Cr);
                    }

                    break;

                case State.RealLineStart:
                case State.BareLineStart:
                    if (span[i] == Dot)
                    {
                        Write(output, span[run..i]);
                        run = ++i;
                        _state = _state == State.RealLineStart ? State.RealDot : State.BareDot;
                    }
                    else
                    {
                        _state = State.MidLine;
                    }

                    break;

                case State.RealDot:
                    if (span[i] == Cr)
                    {
                        run = ++i;
                        _state = State.RealDotCr;
                    }
                    else
                    {
                        ResolveDot(output, span[i]);
                    }

                    break;

                case State.RealDotCr:
                    if (span[i] == Lf)
                    {
                        _state = State.Complete;
                        return i + 1;
                    }

                    // ".<CR>x": a dot line ending in a bare CR; the CR is resolved in MidLineCr.
                    Write(output, "."u8);
                    _state = State.MidLineCr;
                    break;

                case State.BareDot:
                    ResolveDot(output, span[i]);
                    break;

                default:
                    throw new InvalidOperationException("unreachable decoder state");
            }
        }

        if (_state is State.MidLine or State.RealLineStart or State.BareLineStart)
        {
            Write(output, span[run..]);
        }

        return span.Length;
    }

    // A dot at a line start followed by `next` (not yet consumed): a stuffing dot is dropped, the
    // dot of a dot line that is not the end marker is kept.
    private void ResolveDot(IBufferWriter<byte> output, byte next)
    {
        if (next is Cr or Lf)
        {
            Write(output, "."u8);
        }

        _state = State.MidLine;
    }

    // A bare CR or LF has been consumed (not yet written).
    private void BareLineEnding(IBufferWriter<byte> output, byte ending)
    {
        if (_policy == BareNewlinePolicy.Keep)
        {
            Write(output, ending == Cr ? "\r"u8 : "\n"u8);
            _state = State.MidLine;
            return;
        }

        Write(output, "\r\n"u8);
        SawBareNewline |= _policy == BareNewlinePolicy.Reject;
        _state = State.BareLineStart;
    }

    private void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        if (!bytes.IsEmpty)
        {
            output.Write(bytes);
            DecodedLength += bytes.Length;
        }
    }
}
