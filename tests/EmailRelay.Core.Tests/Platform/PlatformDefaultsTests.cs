using System.Net;
using EmailRelay.Cli.CommandLine;
using EmailRelay.Dns;
using EmailRelay.Protocol.Filters;
using EmailRelay.Protocol.Mail;
using EmailRelay.Verifiers;

namespace EmailRelay.Core.Tests.Platform;

/// <summary>The per-OS defaults of the Unix and the Windows edition, as tables (the Windows ones run here too: they are values).</summary>
public sealed class PlatformDefaultsTests
{
    [Theory]
    // system, %ProgramData%, spool directory, configuration directory
    [InlineData("unix", "", "/var/spool/emailrelay", "/etc")]
    [InlineData("windows", @"C:\ProgramData", @"C:\ProgramData\E-MailRelay\spool", @"C:\ProgramData\E-MailRelay")]
    [InlineData("windows", @"D:\Data\", @"D:\Data\E-MailRelay\spool", @"D:\Data\E-MailRelay")]
    [InlineData("windows", "", @"C:\ProgramData\E-MailRelay\spool", @"C:\ProgramData\E-MailRelay")]
    public void Spool_and_configuration_directories(string system, string programData, string spool, string config)
    {
        var defaults = system == "unix" ? PlatformDefaults.Unix : PlatformDefaults.Windows(programData);
        Assert.Equal((spool, config), (defaults.SpoolDirectory, defaults.ConfigDirectory));
    }

    [Fact]
    public void The_running_system_has_its_own_defaults()
    {
        Assert.Equal(OperatingSystem.IsWindows(), PlatformDefaults.Current.IsWindows);
        Assert.Equal(PlatformDefaults.Current.SpoolDirectory, OptionTable.DefaultSpoolDirectory);
    }

    [Theory]
    // option, listed by --help --verbose on Unix, on Windows
    [InlineData("spool-dir", true, true)]
    [InlineData("log", true, true)]
    [InlineData("no-daemon", true, false)]
    [InlineData("user", true, false)]
    [InlineData("localedir", true, false)]
    [InlineData("pid-file", true, true)]
    [InlineData("hidden", false, true)]
    [InlineData("show", false, true)]
    [InlineData("test", false, false)]
    public void Each_edition_lists_its_own_option_set(string option, bool unix, bool windows)
    {
        var listed = (Listed(HelpText.Build(true, PlatformDefaults.Unix), option), Listed(HelpText.Build(true, PlatformDefaults.Windows(@"C:\ProgramData")), option));
        Assert.Equal((unix, windows), listed);
    }

    [Theory]
    // option, text in the Windows help
    [InlineData("spool-dir", @"(default: C:\ProgramData\E-MailRelay\spool)")]
    [InlineData("log", "logs to stderr and the Event Log")]
    [InlineData("no-syslog", "does not log to the Event Log")]
    [InlineData("hidden", "no console window")]
    public void Windows_help_describes_windows(string option, string text)
    {
        var line = HelpText.Build(true, PlatformDefaults.Windows(@"C:\ProgramData")).Split('\n').Single(l => IsSynopsisOf(l, option));
        Assert.Contains(text, line, StringComparison.Ordinal);
        Assert.DoesNotContain("syslog (", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Unix_help_is_unchanged_by_the_windows_texts()
    {
        var text = HelpText.Build(true, PlatformDefaults.Unix);
        Assert.Contains("(default: /var/spool/emailrelay)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Event Log", text, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> DnsCases() => new()
    {
        // adapters as "up|down: server server ...; ...", expected servers
        { "up: 192.168.1.1 8.8.8.8", "192.168.1.1:53 8.8.8.8:53" },
        { "down: 10.0.0.1; up: 192.168.1.1", "192.168.1.1:53" },
        { "up: 192.168.1.1; up: 192.168.1.1 1.1.1.1", "192.168.1.1:53 1.1.1.1:53" },
        { "up: fec0:0:0:ffff::1 fec0:0:0:ffff::2 fec0:0:0:ffff::3 2001:db8::53", "[2001:db8::53]:53" },
        { "up: fec0:0:0:ffff::4", "[fec0:0:0:ffff::4]:53" },
        { "up: ; down: 9.9.9.9", "127.0.0.1:53" },
        { "", "127.0.0.1:53" },
    };

    [Theory]
    [MemberData(nameof(DnsCases))]
    public void Windows_name_servers_come_from_the_adapters_that_are_up(string adapters, string expected)
    {
        var parsed = adapters.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(a =>
        {
            var parts = a.Split(':', 2);
            return (parts[0] == "up", (IReadOnlyList<IPAddress>)[.. parts[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(IPAddress.Parse)]);
        });
        Assert.Equal(expected, string.Join(" ", DnsServers.FromInterfaces(parsed).Select(e => e.ToString())));
    }

    [SkippableFact]
    public void Unix_name_servers_still_come_from_resolv_conf()
    {
        Skip.If(OperatingSystem.IsWindows(), "SKIPPED: resolv.conf is the Unix source; this is Windows");

        Assert.Equal(DnsServers.FromResolvConf(), DnsServers.FromSystem());
    }

    [Theory]
    // SID as S-1-5-21-a-b-c-RID bytes, relative id
    [InlineData("S-1-5-21-1004336348-1177238915-682003330-500", 500L)]
    [InlineData("S-1-5-21-1004336348-1177238915-682003330-1001", 1001L)]
    [InlineData("S-1-5-32-544", 544L)]
    [InlineData("S-1-5-21-1-2-3-4294967295", 4294967295L)]
    public void The_relative_id_is_the_last_part_of_the_sid(string sid, long rid)
    {
        Assert.Equal(rid, WindowsAccounts.RelativeId(SidBytes(sid)));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 1, 0, 0, 0, 0, 0, 0, 5 })]
    [InlineData(new byte[] { 2, 1, 0, 0, 0, 0, 0, 5, 1, 0, 0, 0 })]
    [InlineData(new byte[] { 1, 2, 0, 0, 0, 0, 0, 5, 1, 0, 0, 0 })]
    public void A_malformed_sid_has_no_relative_id(byte[] sid)
    {
        Assert.Null(WindowsAccounts.RelativeId(sid));
    }

    [Theory]
    // address, Windows account found (name, relative id) or none, expected status, mailbox
    [InlineData("Alice@example.com", "alice", 1001L, VerifierStatus.Local, "Alice")]
    [InlineData("Administrator@example.com", "administrator", 500L, VerifierStatus.PermanentFailure, "")]
    [InlineData("nobody@example.com", "", 0L, VerifierStatus.PermanentFailure, "")]
    [InlineData("alice@elsewhere.example", "alice", 1001L, VerifierStatus.PermanentFailure, "")]
    public async Task Windows_accounts_are_checked_by_name_and_relative_id(string address, string account, long rid, VerifierStatus status, string mailbox)
    {
        var verifier = new AccountVerifier(AccountSpec(), name =>
            account.Length > 0 && string.Equals(name, account, StringComparison.OrdinalIgnoreCase) ? new SystemAccount(name, rid, name) : null);
        var result = await verifier.VerifyAsync(new VerifierRequest(address, "from@example.com", "127.0.0.1:1", "example.com", "", ""), CancellationToken.None);
        Assert.Equal((status, mailbox), (result.Status, result.Mailbox));
    }

    [Fact]
    public async Task A_failed_windows_lookup_is_a_temporary_failure_naming_the_cause()
    {
        var verifier = new AccountVerifier(AccountSpec(), _ => throw new IOException("cannot look up account [bob]: The RPC server is unavailable."));
        var result = await verifier.VerifyAsync(new VerifierRequest("bob@example.com", "", "127.0.0.1:1", "example.com", "", ""), CancellationToken.None);
        Assert.Equal((VerifierStatus.TemporaryFailure, "cannot look up account [bob]: The RPC server is unavailable."), (result.Status, result.Reason));
    }

    private static VerifierSpec AccountSpec()
    {
        Assert.True(VerifierSpecParser.TryParse("account:", out var spec, out var error), error);
        return spec;
    }

    private static bool Listed(string help, string option) => help.Split('\n').Any(l => IsSynopsisOf(l, option));

    private static bool IsSynopsisOf(string line, string option)
        => System.Text.RegularExpressions.Regex.IsMatch(line, @"^  (-., |    )--" + System.Text.RegularExpressions.Regex.Escape(option) + @"(\[| |$)");

    private static byte[] SidBytes(string text)
    {
        var parts = text.Split('-');
        var subs = parts.Skip(3).Select(p => uint.Parse(p, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var bytes = new byte[8 + (4 * subs.Length)];
        bytes[0] = 1;
        bytes[1] = (byte)subs.Length;
        bytes[7] = byte.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture);
        for (int i = 0; i < subs.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8 + (4 * i)), subs[i]);
        }

        return bytes;
    }
}
