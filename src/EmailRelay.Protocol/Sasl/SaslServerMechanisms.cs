namespace EmailRelay.Protocol.Sasl;

/// <summary>
/// Which server mechanisms are advertised (reference §d) and creating an exchange for one.
/// </summary>
internal sealed class SaslServerMechanisms
{
    private static readonly HashKind[] s_strongestFirst = [HashKind.Sha512, HashKind.Sha256, HashKind.Sha1, HashKind.Md5];
    private readonly ISecretLookup _secrets;
    private readonly SaslConfig _config;
    private readonly Random _random;
    private readonly TimeProvider _time;
    private readonly string _domain;

    /// <summary>Creates the mechanism set over a secrets store.</summary>
    /// <param name="secrets">The server secrets.</param>
    /// <param name="config">The parsed <c>--server-auth-config</c>.</param>
    /// <param name="random">Randomness for CRAM challenges.</param>
    /// <param name="time">The clock for CRAM challenges.</param>
    /// <param name="domain">The domain for CRAM challenges (<c>--domain</c>).</param>
    public SaslServerMechanisms(ISecretLookup secrets, SaslConfig config, Random random, TimeProvider time, string domain)
    {
        _secrets = secrets;
        _config = config;
        _random = random;
        _time = time;
        _domain = domain;
    }

    /// <summary>The secrets store.</summary>
    public ISecretLookup Secrets => _secrets;

    /// <summary>
    /// The mechanisms for the EHLO <c>AUTH</c> line (or POP <c>SASL</c>): with a plain secret
    /// <c>CRAM-SHA512 CRAM-SHA256 CRAM-SHA1 CRAM-MD5 PLAIN LOGIN</c>; with only hashed secrets the
    /// matching CRAMs; with PAM only PLAIN; once TLS is active PLAIN always (and LOGIN with it);
    /// then <c>--server-auth-config</c>.
    /// </summary>
    public IReadOnlyList<string> Advertised(bool secure)
    {
        var list = new List<string>();
        if (_secrets.IsPam)
        {
            list.Add("PLAIN");
        }
        else if (_secrets.HasServerSecrets)
        {
            IReadOnlyCollection<string> types = _secrets.ServerSecretTypes;
            bool plain = types.Contains(SecretTypes.Plain);
            foreach (HashKind kind in s_strongestFirst)
            {
                if (plain || types.Contains(SecretTypes.NameOf(kind)))
                {
                    list.Add(SecretTypes.CramName(kind));
                }
            }

            if (plain || secure)
            {
                list.Add("PLAIN");
                list.Add("LOGIN");
            }
        }

        return _config.Apply(list, secure);
    }

    /// <summary>True if <paramref name="mechanism"/> is advertised in that TLS state.</summary>
    public bool IsAdvertised(string mechanism, bool secure)
        => Advertised(secure).Contains(mechanism, StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates an exchange for an advertised mechanism (any case), or null if it is not advertised.</summary>
    public SaslServerMechanism? Create(string mechanism, bool secure)
    {
        ArgumentNullException.ThrowIfNull(mechanism);
        if (!IsAdvertised(mechanism, secure))
        {
            return null;
        }

        string upper = mechanism.ToUpperInvariant();
        return upper switch
        {
            "PLAIN" => new PlainServerMechanism(_secrets),
            "LOGIN" => new LoginServerMechanism(_secrets),
            _ when SecretTypes.CramHash(upper) is HashKind kind
                => new CramServerMechanism(_secrets, kind, CramServerMechanism.MakeChallenge(_random, _time, _domain)),
            _ => null,
        };
    }

    /// <summary>A fresh APOP challenge <c>&lt;random.unixtime@domain&gt;</c> (POP greeting).</summary>
    public string MakeApopChallenge() => CramServerMechanism.MakeChallenge(_random, _time, _domain);
}
