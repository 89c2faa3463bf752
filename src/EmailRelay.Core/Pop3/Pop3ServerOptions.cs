using EmailRelay.Net;
using EmailRelay.Protocol.Pop3;

namespace EmailRelay.Pop3;

/// <summary>The POP3 server's settings for one unit.</summary>
internal sealed record Pop3ServerOptions
{
    /// <summary>The session switches.</summary>
    public Pop3ServerPolicy Policy { get; init; } = Pop3ServerPolicy.Default;

    /// <summary>Line length, idle timeout and buffer sizes (shared with SMTP).</summary>
    public RelayLimits Limits { get; init; } = RelayLimits.Default;

    /// <summary>The unit name for the log scope.</summary>
    public string Unit { get; init; } = "";

    /// <summary>The domain in the APOP challenge.</summary>
    public string Domain { get; init; } = "localhost";

    /// <summary><c>--pop-by-name</c>.</summary>
    public bool ByName { get; init; }

    /// <summary><c>--pop-no-delete</c>.</summary>
    public bool NoDelete { get; init; }

    /// <summary><c>--server-auth-config</c>, which applies to POP too.</summary>
    public string AuthConfig { get; init; } = "";
}
