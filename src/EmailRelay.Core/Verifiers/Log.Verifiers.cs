using Microsoft.Extensions.Logging;

namespace EmailRelay.Verifiers;

/// <summary>Log lines of the address verifiers.</summary>
internal static partial class Log
{
    /// <summary>Verbose: a verifier program's result (reference §k; matched by the fail2ban filter).</summary>
    [LoggerMessage(EventId = 5090, Level = LogLevel.Debug, Message = "address verifier: exit code {ExitCode}: [{Line1}] [{Line2}]")]
    public static partial void VerifierExit(ILogger logger, int exitCode, string line1, string line2);
}
