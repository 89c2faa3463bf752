using EmailRelay.Cli.Daemon;
using EmailRelay.Core.Tests.CommandLine;

namespace EmailRelay.Core.Tests.Daemon;

/// <summary>
/// Socket completions run on the event thread only while no configured check blocks its calling thread in native
/// code (PAM, the <c>account:</c> verifier's user database look-ups).
/// </summary>
public class SocketEngineSettingsTests
{
    [Theory]
    [InlineData("--as-server", false)]
    [InlineData("--as-server --server-auth /etc/emailrelay.auth", false)]
    [InlineData("--as-server --server-auth pam:", true)]
    [InlineData("--as-server --server-auth /pam", true)]
    [InlineData("--as-server --pop --pop-auth pam:", true)]
    [InlineData("--as-server --pop --pop-auth /etc/pop.auth", false)]
    [InlineData("--as-server --address-verifier account:", true)]
    [InlineData("--as-server --address-verifier net:127.0.0.1:9", false)]
    [InlineData("--as-server --in-spool-dir /x --in-server-auth pam:", true)]
    public void A_blocking_check_in_any_unit_keeps_completions_on_the_thread_pool(string line, bool blocking)
    {
        var request = CommandLineTestSupport.Run(CommandLineTestSupport.ParseLine(line));
        Assert.Equal(blocking, request.CommandLine.Units.Any(SocketEngineSettings.HasBlockingCheck));
    }
}
