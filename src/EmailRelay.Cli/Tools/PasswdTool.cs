using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using EmailRelay.Protocol.Sasl;
using EmailRelay.Protocol.Text;

namespace EmailRelay.Cli.Tools;

/// <summary>
/// <c>emailrelay-passwd</c> (reference §d): reads a password from stdin or <c>-p</c>, prints the base64
/// HMAC masked state for a secrets file (<c>-H md5</c> default, <c>sha1</c>, <c>sha256</c>, <c>sha512</c>
/// (differences 20), <c>none</c> for xtext), <c>-b</c> for base64 input, <c>-d</c> for the old dotted form.
/// </summary>
internal static class PasswdTool
{
    /// <summary>Runs the tool; returns the exit code.</summary>
    public static int Run(string[] args, TextReader input, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        string? password = null;
        string hash = "md5";
        bool base64 = false, dotted = false;
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            string? value = null;
            int eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                value = arg[(eq + 1)..];
                arg = arg[..eq];
            }

            switch (arg)
            {
                case "-p" or "--password":
                case "-H" or "--hash":
                case "-t" or "--tls":
                case "-T" or "--tls-config":
                    if (value is null && (arg is "-t" or "--tls"))
                    {
                        break;
                    }

                    if (value is null)
                    {
                        if (i + 1 >= args.Length)
                        {
                            error.WriteLine("emailrelay-passwd: usage error: option " + arg + " needs a value");
                            return 2;
                        }

                        value = args[++i];
                    }

                    if (arg is "-p" or "--password")
                    {
                        password = value;
                    }
                    else if (arg is "-H" or "--hash")
                    {
                        hash = value.ToLowerInvariant();
                    }

                    break;
                case "-b" or "--base64":
                    base64 = true;
                    break;
                case "-d" or "--dotted":
                    dotted = true;
                    break;
                case "-v" or "--verbose":
                    break;
                case "-h" or "--help":
                    output.WriteLine("usage: emailrelay-passwd [-H|--hash md5|sha1|sha256|sha512|none] [-b|--base64] [-d|--dotted] [-p|--password <pwd>]");
                    return 0;
                default:
                    error.WriteLine("emailrelay-passwd: usage error: invalid option: " + arg);
                    return 2;
            }
        }

        password ??= (input.ReadLine() ?? string.Empty).TrimEnd('\r');
        byte[] secret;
        if (base64)
        {
            if (!SaslBase64.TryDecode(password, out secret))
            {
                error.WriteLine("emailrelay-passwd: error: invalid base64 input");
                return 1;
            }
        }
        else
        {
            secret = Encoding.UTF8.GetBytes(password);
        }

        if (hash == "none")
        {
            output.WriteLine(Xtext.Encode(Encoding.UTF8.GetString(secret)));
            return 0;
        }

        HashKind? kind = SecretTypes.HashOf(hash == "sha-256" ? "sha256" : hash);
        if (kind is null)
        {
            error.WriteLine("emailrelay-passwd: error: invalid hash function: " + hash);
            return 1;
        }

        byte[] state = Hmac.MaskedState(kind.Value, secret);
        if (dotted)
        {
            if (kind != HashKind.Md5)
            {
                error.WriteLine("emailrelay-passwd: error: the dotted format is for md5 only");
                return 1;
            }

            var words = Enumerable.Range(0, state.Length / 4)
                .Select(i => BinaryPrimitives.ReadUInt32LittleEndian(state.AsSpan(i * 4)).ToString(CultureInfo.InvariantCulture));
            output.WriteLine(string.Join('.', words));
        }
        else
        {
            output.WriteLine(Convert.ToBase64String(state));
        }

        return 0;
    }
}
