using EmailRelay.Protocol.Sasl;

namespace EmailRelay.Protocol.Smtp.Client;

/// <summary>
/// How a client session behaves: the EHLO name and the <c>--client-smtp-config</c> switches (reference §i),
/// plus <c>--forward-to-some</c>, the <c>--client-tls*</c> modes, <c>--client-auth-config</c> and <c>--anonymous=client</c>.
/// </summary>
internal sealed record SmtpClientPolicy
{
    /// <summary>The defaults of reference §i.</summary>
    public static SmtpClientPolicy Default { get; } = new();

    /// <summary>The name sent with EHLO and HELO (see <see cref="EhloNameFor"/>).</summary>
    public string EhloName { get; init; } = "localhost";

    /// <summary><c>pipelining</c> (default off): MAIL and all RCPTs in one write when the server offers PIPELINING.</summary>
    public bool Pipelining { get; init; }

    /// <summary><c>smtputf8strict</c> (default on): UTF-8 mailboxes to a server without SMTPUTF8 fail.</summary>
    public bool SmtpUtf8Strict { get; init; } = true;

    /// <summary><c>eightbitstrict</c> (default off): an 8bit message to a server without 8BITMIME fails.</summary>
    public bool EightBitStrict { get; init; }

    /// <summary><c>binarymimestrict</c> (default on): BINARYMIME to a server without CHUNKING/BINARYMIME fails.</summary>
    public bool BinaryMimeStrict { get; init; } = true;

    /// <summary><c>--forward-to-some</c>: send to the accepted recipients when some are rejected.</summary>
    public bool ForwardToSome { get; init; }

    /// <summary><c>--client-tls</c>: send STARTTLS when the server offers it, then EHLO again.</summary>
    public bool StartTls { get; init; }

    /// <summary><c>--client-tls-connection</c>: the session starts inside TLS (SMTPS); no STARTTLS.</summary>
    public bool ImplicitTls { get; init; }

    /// <summary><c>--client-tls-required</c>: fail when the server cannot do STARTTLS (or ESMTP).</summary>
    public bool TlsRequired { get; init; }

    /// <summary><c>--client-auth-config</c>: the mechanism preference and avoid lists, before and after TLS.</summary>
    public SaslConfig AuthConfig { get; init; } = SaslConfig.Empty;

    /// <summary><c>--anonymous=client</c>: an authenticated session sends <c>AUTH=&lt;&gt;</c> on MAIL.</summary>
    public bool AnonymousAuth { get; init; }

    /// <summary>The BDAT chunk size: 1,000,000 bytes (reference §i).</summary>
    public int ChunkSize { get; init; } = 1_000_000;

    /// <summary>
    /// The EHLO name rule of reference §i: <c>--domain</c> if it contains a dot, otherwise the local socket
    /// address without brackets.
    /// </summary>
    /// <param name="domain">The <c>--domain</c> value (or the host name).</param>
    /// <param name="localAddress">The local address of the connected socket, as text.</param>
    /// <returns>The name.</returns>
    public static string EhloNameFor(string domain, string localAddress)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(localAddress);
        if (domain.Contains('.', StringComparison.Ordinal))
        {
            return domain;
        }

        var address = localAddress.StartsWith('[') && localAddress.EndsWith(']') ? localAddress[1..^1] : localAddress;
        return address.Length == 0 ? "localhost" : address;
    }
}
