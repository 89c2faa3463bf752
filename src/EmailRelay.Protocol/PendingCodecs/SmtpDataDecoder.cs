using System.Buffers;

namespace EmailRelay.Protocol.Smtp;

/// <summary>Stand-in until the codecs branch is merged (CRLF input only; bare newlines kept).</summary>
internal sealed class SmtpDataDecoder
{
    private int _state = 2; // 0 mid-line, 1 after CR, 2 at line start, 3 dot at line start, 4 dot CR

    /// <summary>Creates the decoder.</summary>
    public SmtpDataDecoder(BareNewlinePolicy policy) => Policy = policy;

    /// <summary>The policy.</summary>
    public BareNewlinePolicy Policy { get; }

    /// <summary>Whether a bare newline was seen.</summary>
    public bool SawBareNewline { get; private set; }

    /// <summary>Bytes output.</summary>
    public long DecodedLength { get; private set; }

    /// <summary>Resets.</summary>
    public void Reset()
    {
        _state = 2;
        SawBareNewline = false;
        DecodedLength = 0;
    }

    /// <summary>Decodes; true at end of data.</summary>
    public bool Decode(in ReadOnlySequence<byte> input, IBufferWriter<byte> output, out SequencePosition consumed)
    {
        var reader = new SequenceReader<byte>(input);
        while (reader.TryRead(out var b))
        {
            switch (_state)
            {
                case 0:
                    Emit(output, b);
                    _state = b == '\r' ? 1 : 0;
                    break;
                case 1:
                    Emit(output, b);
                    _state = b == '\n' ? 2 : b == '\r' ? 1 : 0;
                    break;
                case 2:
                    if (b == '.')
                    {
                        _state = 3;
                    }
                    else
                    {
                        Emit(output, b);
                        _state = b == '\r' ? 1 : 0;
                    }

                    break;
                case 3:
                    if (b == '\r')
                    {
                        _state = 4;
                    }
                    else
                    {
                        Emit(output, b);
                        _state = 0;
                    }

                    break;
                default:
                    if (b == '\n')
                    {
                        consumed = reader.Position;
                        _state = 2;
                        return true;
                    }

                    Emit(output, (byte)'\r');
                    Emit(output, b);
                    _state = b == '\r' ? 1 : 0;
                    break;
            }
        }

        consumed = reader.Position;
        return false;
    }

    private void Emit(IBufferWriter<byte> output, byte b)
    {
        output.GetSpan(1)[0] = b;
        output.Advance(1);
        DecodedLength++;
    }
}
