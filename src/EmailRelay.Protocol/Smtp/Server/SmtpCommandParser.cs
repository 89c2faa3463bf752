using System.Text;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Text;
using Ascii = EmailRelay.Protocol.Text.Ascii;

namespace EmailRelay.Protocol.Smtp.Server;

/// <summary>
/// Parses one SMTP command line (without its CRLF). Pure and static; never throws. The verb is
/// recognised from the bytes without allocating; strings are made only for arguments that survive
/// into the envelope or the reply (addresses, HELO name, VRFY and AUTH arguments).
/// </summary>
internal static class SmtpCommandParser
{
    private static readonly MailboxParseOptions[] s_options = [new(false, false), new(false, true), new(true, false), new(true, true)];

    /// <summary>
    /// Parses <paramref name="line"/>. Returns false only for an unknown verb (the command's verb is then
    /// <see cref="SmtpVerb.Unknown"/> and <paramref name="error"/> is <c>500 command unrecognized</c>).
    /// A known verb with bad arguments returns true with <see cref="SmtpCommand.Error"/> set, and
    /// <paramref name="error"/> the same reply; otherwise <paramref name="error"/> is default.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> line, SmtpServerPolicy policy, out SmtpCommand command, out SmtpReply error)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var space = line.IndexOf((byte)' ');
        var verbBytes = space < 0 ? line : line[..space];
        var rest = space < 0 ? [] : line[(space + 1)..];
        var verb = RecogniseVerb(verbBytes);
        command = verb switch
        {
            SmtpVerb.Unknown => new SmtpCommand { Verb = SmtpVerb.Unknown, Error = SmtpServerReplies.Unrecognized },
            SmtpVerb.Helo or SmtpVerb.Ehlo => ParseHello(verb, rest),
            SmtpVerb.Mail => ParseMail(rest, policy),
            SmtpVerb.Rcpt => ParseRcpt(rest, policy),
            SmtpVerb.Bdat => ParseBdat(rest),
            SmtpVerb.Vrfy or SmtpVerb.Auth => new SmtpCommand { Verb = verb, Argument = TrimToString(rest) },
            _ => new SmtpCommand { Verb = verb },
        };
        command = command with { Size = command.Verb == SmtpVerb.Mail ? command.Size : -1, Argument = command.Argument ?? "", Address = command.Address ?? "", AuthParameter = command.AuthParameter ?? "" };
        error = command.Error ?? default;
        return verb != SmtpVerb.Unknown;
    }

    /// <summary>Recognises a verb, ASCII case-insensitively, without allocating.</summary>
    public static SmtpVerb RecogniseVerb(ReadOnlySpan<byte> verb)
    {
        if (verb.Length == 8)
        {
            return Ascii.EqualsIgnoreCase(verb, "STARTTLS"u8) ? SmtpVerb.StartTls : SmtpVerb.Unknown;
        }

        if (verb.Length != 4)
        {
            return SmtpVerb.Unknown;
        }

        // Fold the four letters to upper case and switch on them as one 32-bit value.
        var key = (uint)((verb[0] & ~0x20) << 24 | (verb[1] & ~0x20) << 16 | (verb[2] & ~0x20) << 8 | (verb[3] & ~0x20));
        if (!IsLetter(verb[0]) || !IsLetter(verb[1]) || !IsLetter(verb[2]) || !IsLetter(verb[3]))
        {
            return SmtpVerb.Unknown;
        }

        return key switch
        {
            0x48454C4F => SmtpVerb.Helo,
            0x45484C4F => SmtpVerb.Ehlo,
            0x4D41494C => SmtpVerb.Mail,
            0x52435054 => SmtpVerb.Rcpt,
            0x44415441 => SmtpVerb.Data,
            0x42444154 => SmtpVerb.Bdat,
            0x52534554 => SmtpVerb.Rset,
            0x4E4F4F50 => SmtpVerb.Noop,
            0x51554954 => SmtpVerb.Quit,
            0x56524659 => SmtpVerb.Vrfy,
            0x4558504E => SmtpVerb.Expn,
            0x48454C50 => SmtpVerb.Help,
            0x41555448 => SmtpVerb.Auth,
            _ => SmtpVerb.Unknown,
        };
    }

    private static bool IsLetter(byte b) => (uint)((b | 0x20) - 'a') <= 'z' - 'a';

    private static SmtpCommand ParseHello(SmtpVerb verb, ReadOnlySpan<byte> rest)
    {
        var name = rest.Trim((byte)' ');
        return name.IsEmpty
            ? new SmtpCommand { Verb = verb, Error = SmtpServerReplies.ParameterRequired }
            : new SmtpCommand { Verb = verb, Argument = Encoding.UTF8.GetString(name) };
    }

    // RFC 5321 §4.1.1.2: "MAIL FROM:" Reverse-path [SP Mail-parameters]
    private static SmtpCommand ParseMail(ReadOnlySpan<byte> rest, SmtpServerPolicy policy)
    {
        if (!TryStripKeyword(rest, "FROM:"u8, out var path))
        {
            return MailError("invalid syntax");
        }

        var mailbox = MailboxParser.Parse(path, Options(policy), allowEmpty: true);
        if (!mailbox.Success)
        {
            return MailError(mailbox.Error);
        }

        var command = new SmtpCommand { Verb = SmtpVerb.Mail, Address = mailbox.Address, HasUtf8LocalPart = mailbox.HasUtf8LocalPart, Size = -1 };
        return ParseMailParameters(path[mailbox.ParametersStart..], command);
    }

    // RFC 5321 §4.1.2 Mail-parameters: esmtp-keyword ["=" esmtp-value], space separated.
    private static SmtpCommand ParseMailParameters(ReadOnlySpan<byte> parameters, SmtpCommand command)
    {
        foreach (var range in parameters.Split((byte)' '))
        {
            var parameter = parameters[range];
            if (parameter.IsEmpty)
            {
                continue;
            }

            var equals = parameter.IndexOf((byte)'=');
            var keyword = equals < 0 ? parameter : parameter[..equals];
            var value = equals < 0 ? [] : parameter[(equals + 1)..];
            if (Ascii.EqualsIgnoreCase(keyword, "SIZE"u8))
            {
                if (!TryParseNumber(value, out var size))
                {
                    return MailError("invalid SIZE parameter");
                }

                command = command with { Size = size };
            }
            else if (Ascii.EqualsIgnoreCase(keyword, "BODY"u8))
            {
                command = command with { Body = ParseBody(value) };
            }
            else if (Ascii.EqualsIgnoreCase(keyword, "AUTH"u8))
            {
                // RFC 4954 §5: an invalid AUTH= value is treated as if absent.
                var text = Encoding.Latin1.GetString(value);
                command = command with { AuthParameter = text.Length > 0 && Xtext.IsValid(text) ? text : "" };
            }
            else if (Ascii.EqualsIgnoreCase(keyword, "SMTPUTF8"u8))
            {
                // RFC 6531 §3.4: SMTPUTF8 takes no value.
                if (equals >= 0)
                {
                    return MailError("invalid SMTPUTF8 parameter");
                }

                command = command with { SmtpUtf8 = true };
            }

            // E-MailRelay compat: other parameters are ignored.
        }

        return command;
    }

    private static BodyType ParseBody(ReadOnlySpan<byte> value) =>
        Ascii.EqualsIgnoreCase(value, "7BIT"u8) ? BodyType.SevenBit
        : Ascii.EqualsIgnoreCase(value, "8BITMIME"u8) ? BodyType.EightBitMime
        : Ascii.EqualsIgnoreCase(value, "BINARYMIME"u8) ? BodyType.BinaryMime
        : BodyType.Unknown;

    // RFC 5321 §4.1.1.3: "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" / Forward-path ) [SP Rcpt-parameters]
    private static SmtpCommand ParseRcpt(ReadOnlySpan<byte> rest, SmtpServerPolicy policy)
    {
        if (!TryStripKeyword(rest, "TO:"u8, out var path))
        {
            return RcptError("invalid syntax");
        }

        var mailbox = MailboxParser.Parse(path, Options(policy), allowEmpty: false);
        return mailbox.Success
            ? new SmtpCommand { Verb = SmtpVerb.Rcpt, Address = mailbox.Address, HasUtf8LocalPart = mailbox.HasUtf8LocalPart }
            : RcptError(mailbox.Error) with { Address = RejectedName(path) };
    }

    // The name a rejected RCPT is logged under (reference §c: rejecting recipient "<addr>"): the path as sent, without
    // its brackets, at most 256 characters, so the warning never shows an empty name.
    private static string RejectedName(ReadOnlySpan<byte> path)
    {
        var text = path.Trim(" \t"u8);
        if (text.Length > 0 && text[0] == '<')
        {
            var close = text.IndexOf((byte)'>');
            text = close > 0 ? text[1..close] : text[1..];
        }

        return Encoding.Latin1.GetString(text[..Math.Min(text.Length, 256)]);
    }

    // RFC 3030 §2: "BDAT" SP chunk-size [ SP end-marker ]
    private static SmtpCommand ParseBdat(ReadOnlySpan<byte> rest)
    {
        var space = rest.IndexOf((byte)' ');
        var number = space < 0 ? rest : rest[..space];
        var tail = space < 0 ? [] : rest[(space + 1)..].TrimEnd((byte)' ');
        var isLast = Ascii.EqualsIgnoreCase(tail, "LAST"u8);
        if (!TryParseNumber(number, out var size) || (!tail.IsEmpty && !isLast) || (size == 0 && !isLast))
        {
            return new SmtpCommand { Verb = SmtpVerb.Bdat, Error = SmtpServerReplies.InvalidArgument };
        }

        return new SmtpCommand { Verb = SmtpVerb.Bdat, ChunkSize = size, IsLast = isLast };
    }

    private static bool TryStripKeyword(ReadOnlySpan<byte> rest, ReadOnlySpan<byte> keyword, out ReadOnlySpan<byte> after)
    {
        // E-MailRelay compat: spaces after the colon are accepted (handled by the mailbox parser).
        if (rest.Length >= keyword.Length && Ascii.EqualsIgnoreCase(rest[..keyword.Length], keyword))
        {
            after = rest[keyword.Length..];
            return true;
        }

        after = default;
        return false;
    }

    private static bool TryParseNumber(ReadOnlySpan<byte> digits, out long value)
    {
        value = 0;
        if (digits.IsEmpty || digits.Length > 18)
        {
            return false;
        }

        foreach (var d in digits)
        {
            if ((uint)(d - '0') > 9)
            {
                return false;
            }

            value = (value * 10) + (d - '0');
        }

        return true;
    }

    private static MailboxParseOptions Options(SmtpServerPolicy policy) => s_options[(policy.StrictParsing ? 2 : 0) + (policy.ALabels ? 1 : 0)];

    private static string TrimToString(ReadOnlySpan<byte> rest)
    {
        var trimmed = rest.Trim((byte)' ');
        return trimmed.IsEmpty ? "" : Encoding.UTF8.GetString(trimmed);
    }

    private static SmtpCommand MailError(string why) =>
        new() { Verb = SmtpVerb.Mail, Error = SmtpReply.Create(553, "mailbox name not allowed: " + why) };

    private static SmtpCommand RcptError(string why) =>
        new() { Verb = SmtpVerb.Rcpt, Error = SmtpReply.Create(550, why) };
}
