namespace EmailRelay.Protocol.Filters;

/// <summary>
/// The meaning of a filter program's exit code (reference §c, "Exit-code meaning", from
/// E-MailRelay's <c>GSmtp::Filter::Exit</c>). The server side (<c>--filter</c>) and the client side
/// (<c>--client-filter</c>) read the same codes differently; <see cref="FilterResult.Special"/> is
/// "rescan" on the server side and "stop scanning" on the client side.
/// </summary>
/// <remarks>
/// <code>
/// exit      server side        client side
/// 0         ok                 ok
/// 1-99      fail               fail
/// 100       abandon            abandon
/// 101       ok                 ok
/// 102       abandon + rescan   ok + stop scanning
/// 103       ok + rescan        ok
/// 104       fail + rescan      abandon + stop scanning
/// 105       fail               fail + stop scanning
/// 106+      fail               fail
/// signal    fail               fail
/// </code>
/// A negative exit code (which no program can return) is read as fail.
/// </remarks>
internal static class FilterExitCodes
{
    /// <summary>The outcome and special flag an exit code means.</summary>
    /// <param name="exitCode">The program's exit status.</param>
    /// <param name="isServerSide">True for <c>--filter</c>, false for <c>--client-filter</c>.</param>
    public static (FilterOutcome Outcome, bool Special) Interpret(int exitCode, bool isServerSide)
        => (exitCode, isServerSide) switch
        {
            (0 or 101, _) => (FilterOutcome.Ok, false),
            (100, _) => (FilterOutcome.Abandon, false),
            (102, true) => (FilterOutcome.Abandon, true),
            (102, false) => (FilterOutcome.Ok, true),
            (103, true) => (FilterOutcome.Ok, true),
            (103, false) => (FilterOutcome.Ok, false),
            (104, true) => (FilterOutcome.Fail, true),
            (104, false) => (FilterOutcome.Abandon, true),
            (105, false) => (FilterOutcome.Fail, true),
            _ => (FilterOutcome.Fail, false),
        };

    /// <summary>
    /// The result of a program that exited with <paramref name="exitCode"/> after printing
    /// <paramref name="output"/>. Ok and abandon results carry no texts; a fail carries the output's.
    /// </summary>
    public static FilterResult ToResult(int exitCode, bool isServerSide, FilterOutput output)
    {
        var (outcome, special) = Interpret(exitCode, isServerSide);
        return outcome == FilterOutcome.Fail
            ? new FilterResult(outcome, special, output.Response, output.ResponseCode, output.Reason)
            : new FilterResult(outcome, special, "", 0, "");
    }

    /// <summary>The result of a program killed by a signal: fail, with the output's texts.</summary>
    public static FilterResult Signalled(FilterOutput output)
        => new(FilterOutcome.Fail, false, output.Response, output.ResponseCode, output.Reason);

    /// <summary>The result of a program that ran past <c>--filter-timeout</c>: fail, response <c>error</c>, reason <c>timeout</c>, code 0.</summary>
    public static FilterResult TimedOut { get; } = new(FilterOutcome.Fail, false, "error", 0, "timeout");
}
