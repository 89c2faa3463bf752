using System.Text;

namespace EmailRelay.Protocol.Pop3;

/// <summary>
/// Parses one POP3 command line (without its line ending). Never throws: anything unrecognised is
/// <see cref="Pop3Verb.Unknown"/>. Verbs are case-insensitive (RFC 1939 §3).
/// </summary>
internal static class Pop3CommandParser
{
    private static readonly (byte[] Name, Pop3Verb Verb)[] s_verbs =
    [
        ("USER"u8.ToArray(), Pop3Verb.User),
        ("PASS"u8.ToArray(), Pop3Verb.Pass),
        ("APOP"u8.ToArray(), Pop3Verb.Apop),
        ("AUTH"u8.ToArray(), Pop3Verb.Auth),
        ("STLS"u8.ToArray(), Pop3Verb.Stls),
        ("CAPA"u8.ToArray(), Pop3Verb.Capa),
        ("STAT"u8.ToArray(), Pop3Verb.Stat),
        ("LIST"u8.ToArray(), Pop3Verb.List),
        ("UIDL"u8.ToArray(), Pop3Verb.Uidl),
        ("RETR"u8.ToArray(), Pop3Verb.Retr),
        ("TOP"u8.ToArray(), Pop3Verb.Top),
        ("DELE"u8.ToArray(), Pop3Verb.Dele),
        ("RSET"u8.ToArray(), Pop3Verb.Rset),
        ("NOOP"u8.ToArray(), Pop3Verb.Noop),
        ("QUIT"u8.ToArray(), Pop3Verb.Quit),
    ];

    /// <summary>Parses <paramref name="line"/>; a trailing CR, if any, is ignored.</summary>
    public static Pop3Command Parse(ReadOnlySpan<byte> line)
    {
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        int space = line.IndexOf((byte)' ');
        var verbBytes = space < 0 ? line : line[..space];
        var verb = Pop3Verb.Unknown;
        foreach (var (name, candidate) in s_verbs)
        {
            if (Ascii.EqualsIgnoreCase(verbBytes, name))
            {
                verb = candidate;
                break;
            }
        }

        var argument = space < 0 || verb == Pop3Verb.Unknown ? "" : Encoding.UTF8.GetString(line[(space + 1)..]);
        return new Pop3Command(verb, argument);
    }
}
