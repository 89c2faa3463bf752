using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace EmailRelay.Tls;

/// <summary>Certificate validation callbacks for <c>--server-tls-verify</c> and <c>--client-tls-verify</c>.</summary>
internal static class TlsVerification
{
    /// <summary>
    /// Server side: no option (or <c>&lt;none&gt;</c>, or <c>noverify</c>) accepts any or no client
    /// certificate; <c>&lt;default&gt;</c> requires one valid against the system store; a CA path
    /// requires one that chains to those CAs.
    /// </summary>
    public static RemoteCertificateValidationCallback ServerCallback(string? verify, bool noVerify)
    {
        if (verify is null or "<none>" || noVerify)
        {
#pragma warning disable CA5359 // E-MailRelay's contract: no verification unless --*-tls-verify is given.
            return static (_, _, _, _) => true;
#pragma warning restore CA5359
        }

        if (verify == "<default>")
        {
            return static (_, cert, _, errors) => cert is not null && errors == SslPolicyErrors.None;
        }

        X509Certificate2Collection roots = TlsCertificates.LoadCa(verify);
        return (_, cert, chain, _) => cert is not null && ChainsTo(cert, chain, roots, null);
    }

    /// <summary>
    /// Client side: no option accepts any server certificate (E-MailRelay's default); <c>&lt;default&gt;</c>
    /// uses the system store; a CA path uses those CAs; <paramref name="name"/> (verify-name) is checked.
    /// </summary>
    public static RemoteCertificateValidationCallback ClientCallback(string? verify, string? name, bool noVerify)
    {
        if (verify is null || noVerify)
        {
#pragma warning disable CA5359 // E-MailRelay's contract: no verification unless --*-tls-verify is given.
            return static (_, _, _, _) => true;
#pragma warning restore CA5359
        }

        if (verify == "<default>")
        {
            return (_, cert, _, errors) => cert is not null
                && (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None
                && (name is null || MatchesName(cert, name));
        }

        X509Certificate2Collection roots = TlsCertificates.LoadCa(verify);
        return (_, cert, chain, _) => cert is not null && ChainsTo(cert, chain, roots, name);
    }

    // The CA file holds the trust anchors; the intermediates come from the peer (issue 23 G: a leaf and an
    // intermediate sent, only the root in the file, as most public CAs issue). SslStream puts the certificates the
    // peer sent in its chain's ExtraStore (and in the elements it could build); they only help find a path and are
    // never trusted themselves.
    private static bool ChainsTo(X509Certificate certificate, X509Chain? peerChain, X509Certificate2Collection roots, string? name)
    {
        using var cert = new X509Certificate2(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (peerChain is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(peerChain.ChainPolicy.ExtraStore);
            foreach (var element in peerChain.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(cert) && (name is null || MatchesName(cert, name));
    }

    private static bool MatchesName(X509Certificate certificate, string name)
    {
        using var cert = new X509Certificate2(certificate);
        return cert.MatchesHostname(name, allowWildcards: true, allowCommonName: true);
    }
}
