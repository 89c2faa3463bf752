namespace EmailRelay.Protocol.Admin;

/// <summary>The admin commands of reference §h, plus the outcomes of parsing a line that is not one.</summary>
public enum AdminCommandKind
{
    /// <summary>An empty line: just the prompt.</summary>
    Empty,

    /// <summary>Text that is not a command (or <c>terminate</c> without <c>--admin-terminate</c>).</summary>
    Unrecognised,

    /// <summary><c>help</c>.</summary>
    Help,

    /// <summary><c>forward</c>: request a forwarding run.</summary>
    Forward,

    /// <summary><c>flush</c>: run a forwarding client of its own and wait for it.</summary>
    Flush,

    /// <summary><c>list</c>: the ready messages.</summary>
    List,

    /// <summary><c>failures</c>: the failed messages.</summary>
    Failures,

    /// <summary><c>unfail-all</c>.</summary>
    UnfailAll,

    /// <summary><c>pid</c>.</summary>
    Pid,

    /// <summary><c>status</c>: the network counters.</summary>
    Status,

    /// <summary><c>info</c> with its argument in <see cref="AdminCommand.Argument"/>.</summary>
    Info,

    /// <summary><c>notify</c>: asynchronous <c>EVENT:</c> lines from now on.</summary>
    Notify,

    /// <summary><c>smtp disable</c>.</summary>
    SmtpDisable,

    /// <summary><c>smtp enable</c>.</summary>
    SmtpEnable,

    /// <summary><c>smtp</c> with a missing or wrong argument.</summary>
    SmtpUsage,

    /// <summary><c>dnsbl stop [secs]</c> (<see cref="AdminCommand.Seconds"/>, 0 meaning forever).</summary>
    DnsblStop,

    /// <summary><c>dnsbl start</c>.</summary>
    DnsblStart,

    /// <summary><c>dnsbl</c> with a missing or wrong argument.</summary>
    DnsblUsage,

    /// <summary><c>terminate</c> (only with <c>--admin-terminate</c>).</summary>
    Terminate,

    /// <summary><c>quit</c>.</summary>
    Quit,
}
