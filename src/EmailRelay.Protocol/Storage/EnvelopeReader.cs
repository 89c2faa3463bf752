using System.Globalization;
using EmailRelay.Protocol.Mail;

namespace EmailRelay.Protocol.Storage;

/// <summary>
/// One pass over an envelope file's text for <see cref="EnvelopeFormat.Read(string)"/>. Strict field
/// order per format generation ("expected X-MailRelay-xxx:"), <c>X-MailRelay-Foo:</c> without a space
/// accepted as empty, continuation lines (leading space or tab) unfolded with a newline, values trimmed,
/// LF-only files accepted, everything after End kept verbatim as the trailer.
/// </summary>
internal sealed class EnvelopeReader
{
    private const string Prefix = "X-MailRelay-";
    private readonly List<string> _lines;
    private readonly bool _lf;
    private int _next;

    public EnvelopeReader(string text)
    {
        _lines = [.. text.Split('\n')];
        _lf = _lines.Count > 1 && !_lines[0].EndsWith('\r');
        for (int i = 0; i < _lines.Count; i++)
        {
            if (_lines[i].EndsWith('\r'))
            {
                _lines[i] = _lines[i][..^1];
            }
        }

        // A final line ending leaves one empty piece that is not a line.
        if (_lines.Count > 0 && _lines[^1].Length == 0)
        {
            _lines.RemoveAt(_lines.Count - 1);
        }
    }

    public EnvelopeReadResult Read()
    {
        if (!TryField("Format", out string format, out string? error))
        {
            return Fail(error);
        }

        int generation = format switch
        {
            "#2821.3" => 3,
            "#2821.4" => 4,
            "#2821.5" => 5,
            "#2821.6" => 6,
            "#2821.7" => 7,
            "#2821.8" => 8,
            _ => 0,
        };
        if (generation == 0)
        {
            return Fail("invalid format: " + format);
        }

        if (!TryField("Content", out string content, out error) ||
            !TryField("From", out string from, out error) ||
            !TryField("ToCount", out string toCountText, out error))
        {
            return Fail(error);
        }

        if (!int.TryParse(toCountText, NumberStyles.None, CultureInfo.InvariantCulture, out int toCount))
        {
            return Fail("invalid to-count: " + toCountText);
        }

        var toLocal = new List<string>();
        var toRemote = new List<string>();
        for (int i = 0; i < toCount; i++)
        {
            if (TryField("To-Remote", out string remote, out _))
            {
                toRemote.Add(remote);
            }
            else if (TryField("To-Local", out string local, out _))
            {
                toLocal.Add(local);
            }
            else
            {
                return Fail("expected " + Prefix + "To-Remote:");
            }
        }

        if (!TryField("Authentication", out string authentication, out error) ||
            !TryField("Client", out string client, out error))
        {
            return Fail(error);
        }

        string certificate = "", authIn = "", authOut = "", forwardTo = "", forwardToAddress = "", selector = "", utf8 = "0";
        if (generation == 4 && (!TryField("ClientName", out _, out error) || !TryField("ClientCertificate", out certificate, out error)))
        {
            return Fail(error);
        }

        if (generation >= 5 && (!TryField("ClientCertificate", out certificate, out error) ||
            !TryField("MailFromAuthIn", out authIn, out error) || !TryField("MailFromAuthOut", out authOut, out error)))
        {
            return Fail(error);
        }

        if (generation >= 6 && (!TryField("ForwardTo", out forwardTo, out error) || !TryField("ForwardToAddress", out forwardToAddress, out error)))
        {
            return Fail(error);
        }

        if (generation >= 8 && !TryField("ClientAccountSelector", out selector, out error))
        {
            return Fail(error);
        }

        if (generation >= 7 && !TryField("Utf8MailboxNames", out utf8, out error))
        {
            return Fail(error);
        }

        if (!TryField("End", out _, out error))
        {
            return Fail(error);
        }

        var envelope = new Envelope
        {
            Body = EnvelopeFormat.ParseBody(content),
            From = from,
            ToLocal = toLocal,
            ToRemote = toRemote,
            Authentication = EnvelopeXtext.Decode(authentication),
            ClientAddress = client,
            ClientCertificate = certificate,
            MailFromAuthIn = authIn,
            MailFromAuthOut = authOut,
            ForwardTo = forwardTo,
            ForwardToAddress = forwardToAddress,
            ClientAccountSelector = selector,
            Utf8MailboxNames = utf8 == "1",
            Trailer = _lines.GetRange(_next, _lines.Count - _next),
            UsesLfLineEndings = _lf,
        };
        return new EnvelopeReadResult(envelope, null);
    }

    private static EnvelopeReadResult Fail(string? error) => new(null, error ?? "invalid envelope");

    private bool TryField(string name, out string value, out string? error)
    {
        value = "";
        error = "expected " + Prefix + name + ":";
        if (_next >= _lines.Count)
        {
            return false;
        }

        string line = _lines[_next];
        int nameLength = Prefix.Length + name.Length;
        if (line.Length <= nameLength || line[nameLength] != ':' ||
            !line.StartsWith(Prefix, StringComparison.Ordinal) ||
            string.CompareOrdinal(line, Prefix.Length, name, 0, name.Length) != 0)
        {
            return false;
        }

        string first = line[(nameLength + 1)..];
        _next++;
        if (_next < _lines.Count && IsContinuation(_lines[_next]))
        {
            var folded = new System.Text.StringBuilder(first);
            while (_next < _lines.Count && IsContinuation(_lines[_next]))
            {
                folded.Append('\n').Append(_lines[_next], 1, _lines[_next].Length - 1);
                _next++;
            }

            first = folded.ToString();
        }

        value = first.Trim();
        error = null;
        return true;
    }

    private static bool IsContinuation(string line) => line.Length > 0 && (line[0] == ' ' || line[0] == '\t');
}
