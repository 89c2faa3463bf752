using System.Text;

namespace EmailRelay.Cli.CommandLine;

/// <summary>Builds <c>--version</c> and <c>--version --verbose</c>. The first line is E-MailRelay's, because scripts parse it.</summary>
internal static class VersionText
{
    /// <summary>The E-MailRelay version we are compatible with.</summary>
    public const string CompatibleVersion = "2.6.1";

    /// <summary>The version text, ending with a newline.</summary>
    public static string Build(bool verbose, RuntimeFacts runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var text = new StringBuilder();
        text.Append("E-MailRelay V").Append(CompatibleVersion).Append('\n');
        text.Append("EmailRelay for .NET: an independent C# implementation of E-MailRelay ").Append(CompatibleVersion)
            .Append(" (same command line, spool format and protocols)\n");
        text.Append("Licence: see the LICENSE file distributed with this program; it comes with NO WARRANTY\n");
        if (verbose)
        {
            // E-MailRelay's feature lines, in its order: scripts and its own test suite read them to find what a
            // build can do. Unix domain sockets are listed on Unix only, as E-MailRelay lists them.
            text.Append('\n');
            text.Append("Multi-threading: enabled\n");
            if (!OperatingSystem.IsWindows())
            {
                text.Append("Unix domain sockets: enabled\n");
            }

            text.Append("POP server: enabled\n");
            text.Append("Admin server: enabled\n");
            text.Append("TLS library: .NET SslStream on ").Append(runtime.TlsLibrary).Append('\n');
            text.Append("Features: SMTP server and client, POP3 server, admin interface, TLS, SASL (PLAIN, LOGIN, CRAM-MD5, CRAM-SHA*, XOAUTH2 client), PAM, DNSBL, SOCKS4a, filters (programs, net, spam, copy, deliver, split, mx, msgid, dkim), address verifiers (programs, net, account)\n");
            text.Append("Runtime: ").Append(runtime.FrameworkDescription).Append(" on ").Append(runtime.OsDescription).Append('\n');
        }

        return text.ToString();
    }
}
