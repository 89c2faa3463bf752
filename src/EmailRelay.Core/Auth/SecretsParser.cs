using System.Globalization;
using System.Text;
using EmailRelay.Protocol.Sasl;
using EmailRelay.Protocol.Text;

namespace EmailRelay.Auth;

/// <summary>
/// Parses the secrets file format of reference §d: 4 fields and an optional 5th, <c>#</c> comments,
/// <c>server</c>/<c>client</c>, types <c>plain</c>, <c>plain:b</c>, <c>md5</c> (base64 or the old dotted form),
/// <c>sha1</c>/<c>sha256</c>/<c>sha512</c>, <c>none</c>, <c>oauth</c>, and the client-only <c>oauth-refresh</c>,
/// <c>oauth-client</c> and <c>oauth-command</c> (<see cref="OAuth.OAuthGrantParser"/>), old names <c>cram-md5</c>/<c>apop</c>/<c>login</c>.
/// Errors throw <see cref="SecretsFileException"/>; warnings are collected.
/// </summary>
internal static class SecretsParser
{
    /// <summary>Parses <paramref name="text"/>; <paramref name="name"/> (the path) goes into messages.</summary>
    public static SecretsTable Parse(string text, string name, List<string>? warnings = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var server = new Dictionary<(string, string), Secret>();
        var trusted = new List<(AddressPattern, TrustedPeer)>();
        var client = new Dictionary<string, List<Secret>>(StringComparer.Ordinal);
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            int lineNumber = i + 1;
            string line = lines[i].TrimEnd('\r');
            string trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed[0] == '#')
            {
                continue;
            }

            string[] fields = trimmed.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 4)
            {
                throw Error(name, lineNumber, "too few fields");
            }

            string? selector = null;
            if (fields.Length >= 5 && fields[4][0] != '#')
            {
                selector = fields[4];
                if (fields.Length > 5 && fields[5][0] != '#')
                {
                    warnings?.Add(Message(name, lineNumber, "too many fields"));
                }
            }

            string side = fields[0].ToLowerInvariant();
            string type = NormaliseType(fields[1].ToLowerInvariant());
            string source = "line " + lineNumber.ToString(CultureInfo.InvariantCulture);
            if (side == "server")
            {
                if (type == "none")
                {
                    if (!AddressPattern.TryParse(fields[2], out AddressPattern pattern))
                    {
                        throw Error(name, lineNumber, "invalid ip address wildcard");
                    }

                    trusted.Add((pattern, new TrustedPeer(fields[3], fields[2], lineNumber)));
                    continue;
                }

                Secret secret = ParseSecret(name, lineNumber, type, fields[1].ToLowerInvariant(), fields[2], fields[3], source, client: false);
                if (!server.TryAdd((secret.Type, secret.Id), secret))
                {
                    throw Error(name, lineNumber, "duplicate server secret");
                }
            }
            else if (side == "client")
            {
                if (type == "none")
                {
                    throw Error(name, lineNumber, "invalid client secret type");
                }

                Secret secret;
                if (type == SecretTypes.Plain && string.Equals(fields[1], "plain:b", StringComparison.OrdinalIgnoreCase) && fields[2] == "=" && fields[3] == "=")
                {
                    secret = new Secret(SecretTypes.Plain, string.Empty, [], source) { IsNoAuth = true };
                }
                else
                {
                    secret = ParseSecret(name, lineNumber, type, fields[1].ToLowerInvariant(), fields[2], fields[3], source, client: true);
                }

                string key = selector ?? string.Empty;
                if (!client.TryGetValue(key, out List<Secret>? list))
                {
                    list = [];
                    client.Add(key, list);
                }

                if (list.Any(s => s.Type == secret.Type))
                {
                    throw Error(name, lineNumber, "duplicate client secret");
                }

                list.Add(secret);
            }
            else
            {
                throw Error(name, lineNumber, "invalid first field: expected \"server\" or \"client\"");
            }
        }

        return new SecretsTable(server, trusted, client);
    }

    private static string NormaliseType(string type) => type switch
    {
        "cram-md5" or "apop" => "md5",
        "login" or "plain:b" or "login:b" => SecretTypes.Plain,
        _ => type,
    };

    private static Secret ParseSecret(string name, int line, string type, string rawType, string idField, string secretField, string source, bool client)
    {
        bool base64 = rawType.EndsWith(":b", StringComparison.Ordinal);
        if (base64 && type != SecretTypes.Plain)
        {
            throw Error(name, line, "invalid secret type");
        }

        string id = base64 ? DecodeBase64Text(name, line, idField) : DecodeXtext(name, line, idField);
        if (type == SecretTypes.Plain)
        {
            byte[] password = base64 ? DecodeBase64(name, line, secretField) : Encoding.UTF8.GetBytes(DecodeXtext(name, line, secretField));
            return new Secret(type, id, password, source);
        }

        if (type == SecretTypes.OAuth)
        {
            if (!client)
            {
                throw Error(name, line, "oauth secrets are for clients only");
            }

            return new Secret(type, id, Encoding.UTF8.GetBytes(DecodeXtext(name, line, secretField)), source);
        }

        if (SecretTypes.IsAcquired(type))
        {
            if (!client)
            {
                throw Error(name, line, "oauth secrets are for clients only");
            }

            try
            {
                return new Secret(type, id, [], source) { Grant = OAuth.OAuthGrantParser.Parse(type, id, secretField) };
            }
            catch (FormatException ex)
            {
                throw Error(name, line, ex.Message);
            }
        }

        if (SecretTypes.HashOf(type) is HashKind kind)
        {
            int size = Hmac.MaskedStateSize(kind);
            byte[] state;
            if (kind == HashKind.Md5 && secretField.Contains('.', StringComparison.Ordinal))
            {
                state = DecodeDotted(name, line, secretField);
            }
            else
            {
                state = DecodeBase64(name, line, secretField);
            }

            if (state.Length != size)
            {
                throw Error(name, line, "invalid " + type + " secret: wrong length");
            }

            return new Secret(type, id, state, source);
        }

        throw Error(name, line, "invalid secret type");
    }

    private static byte[] DecodeDotted(string name, int line, string field)
    {
        string[] parts = field.Split('.');
        if (parts.Length != 8)
        {
            throw Error(name, line, "invalid dotted md5 secret");
        }

        var state = new byte[32];
        for (int i = 0; i < 8; i++)
        {
            if (!uint.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out uint word))
            {
                throw Error(name, line, "invalid dotted md5 secret");
            }

            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(state.AsSpan(i * 4), word);
        }

        return state;
    }

    private static byte[] DecodeBase64(string name, int line, string field)
        => SaslBase64.TryDecode(field, out byte[] data) ? data : throw Error(name, line, "invalid base64 encoding");

    private static string DecodeBase64Text(string name, int line, string field)
    {
        byte[] data = DecodeBase64(name, line, field);
        return System.Text.Unicode.Utf8.IsValid(data) ? Encoding.UTF8.GetString(data) : throw Error(name, line, "invalid base64 encoding");
    }

    private static string DecodeXtext(string name, int line, string field)
        => Xtext.TryDecode(field, out string decoded) ? decoded : throw Error(name, line, "invalid xtext encoding");

    private static SecretsFileException Error(string name, int line, string what) => new(Message(name, line, what));

    private static string Message(string name, int line, string what)
        => string.Create(CultureInfo.InvariantCulture, $"secrets file error: {name}: line {line}: {what}");
}
