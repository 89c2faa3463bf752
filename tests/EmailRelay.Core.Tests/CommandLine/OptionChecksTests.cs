using EmailRelay.Cli.CommandLine;

using static EmailRelay.Core.Tests.CommandLine.CommandLineTestSupport;

namespace EmailRelay.Core.Tests.CommandLine;

public class OptionChecksTests
{
    /// <summary>(arguments that fail, the error, arguments that pass): each check both ways. Feature gates are off.</summary>
    public static TheoryData<string, string, string> Checks() => new()
    {
        { "--pop-port 110", "the --pop-port option requires --pop", "--pop --pop-auth f --pop-port 110" },
        { "--pop-auth f", "the --pop-auth option requires --pop", "--pop --pop-auth f" },
        { "--pop-by-name", "the --pop-by-name option requires --pop", "--pop --pop-auth f --pop-by-name" },
        { "--pop-no-delete", "the --pop-no-delete option requires --pop", "--pop --pop-auth f --pop-no-delete" },
        { "--pop", "the --pop option requires --pop-auth", "--pop --pop-auth f" },
        { "--admin-terminate", "the --admin-terminate option requires --admin", "--admin 1 --admin-terminate" },
        { "--forward", "the --forward option requires --forward-to", "--forward --forward-to a:1" },
        { "--forward-on-disconnect", "the --forward-on-disconnect option requires --forward-to", "-1 -o a:1" },
        { "--client-filter exit:0", "the --client-filter option requires --forward-to", "--client-filter exit:0 --forward-to a:1" },
        { "--dont-serve --filter exit:0", "the --dont-serve and --filter options cannot be used together", "--dont-serve" },
        { "--dont-serve --port 1", "the --dont-serve and --port options cannot be used together", "--port 1" },
        { "--dont-serve --server-auth f", "the --dont-serve and --server-auth options cannot be used together", "--server-auth f" },
        { "--dont-serve --pop --pop-auth f", "the --dont-serve and --pop options cannot be used together", "--pop --pop-auth f" },
        { "--dont-serve --admin 1", "the --dont-serve and --admin options cannot be used together", "--admin 1" },
        { "--as-client a:1 --filter exit:0", "the --as-client and --filter options cannot be used together", "--as-client a:1 --client-filter exit:0" },
        { "--as-client a:1 --port 1", "the --as-client and --port options cannot be used together", "--as-client a:1" },
        { "--as-client a:1 --admin 1", "the --as-client and --admin options cannot be used together", "--as-proxy a:1 --admin 1" },
        { "--no-smtp --filter exit:0", "the --no-smtp and --filter options cannot be used together", "--no-smtp --admin 1" },
        { "--no-smtp --port 1", "the --no-smtp and --port options cannot be used together", "--no-smtp" },
        { "--no-smtp --server-auth f", "the --no-smtp and --server-auth options cannot be used together", "--no-smtp --pop --pop-auth f" },
        { "--client-auth-config m:plain", "the --client-auth-config option requires --client-auth", "--client-auth f --client-auth-config m:plain" },
        { "--server-auth-config m:plain", "the --server-auth-config option requires --server-auth", "--server-auth f --server-auth-config m:plain" },
        { "--client-tls --client-tls-connection", "the --client-tls and --client-tls-connection options cannot be used together", "--client-tls-connection" },
        { "-K --server-tls-connection --server-tls-certificate c", "the --server-tls and --server-tls-connection options cannot be used together", "--server-tls-connection --server-tls-certificate c" },
        { "--client-tls-required", "the --client-tls-required option requires --client-tls or --client-tls-connection", "--client-tls-required --client-tls" },
        { "--server-tls-required", "the --server-tls-required option requires --server-tls or --server-tls-connection", "--server-tls-required --server-tls-connection --server-tls-certificate c" },
        { "--server-tls", "the --server-tls option requires --server-tls-certificate", "--server-tls --server-tls-certificate c" },
        { "--client-tls-verify-name n", "the --client-tls-verify-name option requires --client-tls-verify", "--client-tls-verify-name n --client-tls-verify <default>" },
        { "--server-tls-certificate a --server-tls-certificate b --server-tls-certificate c", "the --server-tls-certificate option can be given at most twice", "--server-tls-certificate a --server-tls-certificate b" },
        { "--client-tls-certificate a --client-tls-certificate b --client-tls-certificate c", "the --client-tls-certificate option can be given at most twice", "--client-tls-certificate a" },
        { "--dnsbl x.example", "the --dnsbl option requires --remote-clients", "--dnsbl x.example -r" },
        { "--forward-to /run/smtp.s --client-interface 10.0.0.1", "the --client-interface option cannot be used with a unix-domain --forward-to address", "--forward-to a:1 --client-interface 10.0.0.1" },
        { "--forward-to-all --forward-to-some", "the --forward-to-all and --forward-to-some options cannot be used together", "--forward-to-some" },
        { "--interface client=10.0.0.1", "the --interface option cannot give the client address [client=10.0.0.1]: use --client-interface", "--interface smtp=10.0.0.1,10.0.0.2" },
        { "--verbose", "the --verbose option requires --log or --help", "--verbose --log" },
        { "--debug", "the --debug option requires --log", "--debug -l" },
        { "--port 65536", "invalid port number for --port: [65536]", "--port 65535" },
        { "--port -1", "invalid port number for --port: [-1]", "--port 0" },
        { "--pop --pop-auth f --pop-port x", "invalid port number for --pop-port: [x]", "--pop --pop-auth f --pop-port 995" },
        { "--admin 1.5", "invalid port number for --admin: [1.5]", "--admin 10026" },
        { "--idle-timeout -5", "invalid value for --idle-timeout: [-5]: expecting a whole number of zero or more", "--idle-timeout 0" },
        { "--response-timeout 1m", "invalid value for --response-timeout: [1m]: expecting a whole number of zero or more", "--response-timeout 60" },
        { "--filter-timeout x", "invalid value for --filter-timeout: [x]: expecting a whole number of zero or more", "--filter-timeout 5" },
        { "--connection-timeout \u0661", "invalid value for --connection-timeout: [\u0661]: expecting a whole number of zero or more", "--connection-timeout 1" },
        { "--prompt-timeout +3", "invalid value for --prompt-timeout: [+3]: expecting a whole number of zero or more", "--prompt-timeout 3" },
        { "--size 99999999999", "invalid value for --size: [99999999999]: expecting a whole number of zero or more", "--size 1000000" },
        { "--retry-limit x", "invalid value for --retry-limit: [x]: expecting a whole number of zero or more", "--retry-limit 0" },
        { "--poll 0 --forward-to a:1", "the --poll period must be more than zero", "--poll 1 --forward-to a:1" },
        { "--syslog=kern", "invalid --syslog facility [kern]: use mail, user, daemon or local0 to local7", "--syslog=local7" },
        { "--syslog=local8", "invalid --syslog facility [local8]: use mail, user, daemon or local0 to local7", "--syslog" },
        { "--domain=", "the --domain value cannot be empty", "--domain=example.com" },
        { "--forward-to a:1 --as-proxy b:2", "the --forward-to option cannot be used with --as-proxy", "--as-proxy b:2" },
    };

    [Theory]
    [MemberData(nameof(Checks))]
    public void Each_check_fails_and_passes(string failing, string error, string passing)
    {
        Assert.Equal(error, ErrorText(ParseLine(failing)));
        Run(ParseLine(passing));
    }

    [Fact]
    public void Check_errors_suggest_help()
    {
        var failure = Assert.IsType<ParseFailure>(Parse("--pop"));
        Assert.EndsWith("emailrelay: try \"emailrelay --help --verbose\"\n", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--server-smtp-config +chunking,bogus", "unknown smtp-config item [bogus]")]
    [InlineData("--client-smtp-config nopipelining,-chunking", "unknown smtp-config item [-chunking]")]
    [InlineData("--domain=\u00e9xample.com", "the --domain value [\u00e9xample.com] is not ASCII: consider using its A-label (xn--...) form")]
    [InlineData("--log-format time,colour --log", "unknown --log-format item [colour]")]
    [InlineData("--anonymous=vrfy,everything", "unknown --anonymous scope [everything]")]
    [InlineData("--hidden", "the \"--hidden\" option is ignored: it only applies to the Windows user interface")]
    public void Soft_problems_are_warnings(string args, string warning)
    {
        var request = Run(ParseLine(args));
        Assert.Contains(warning, request.Warnings);
    }

    [Theory]
    [InlineData("--server-smtp-config +chunking,-pipelining,nosmtputf8,with-alabels,without-linger,bare-newline-reject")]
    [InlineData("--client-smtp-config pipelining --client-smtp-config eightbitstrict")]
    [InlineData("--log-format time,unit,address,port,msgid --log")]
    [InlineData("--anonymous=vrfy,server,content,client")]
    [InlineData("--anonymous")]
    public void Valid_lists_give_no_warnings(string args) =>
        Assert.Empty(Run(ParseLine(args)).Warnings);

    [Fact]
    public void Process_wide_checks_apply_to_the_first_unit_only()
    {
        var request = Run(ParseLine("--in-spool-dir /x --in-debug"));
        Assert.Contains(request.Warnings, w => w.Contains("--in-debug", StringComparison.Ordinal));
    }
}
