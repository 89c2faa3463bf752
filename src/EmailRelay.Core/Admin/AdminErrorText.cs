using EmailRelay.Spool;

namespace EmailRelay.Admin;

/// <summary>
/// The reason in an admin <c>error: ...</c> reply for a failed spool operation, in E-MailRelay's wording
/// (<c>message store error: &lt;what&gt;</c>) and never a .NET exception's message, which names paths and types.
/// </summary>
internal static class AdminErrorText
{
    /// <summary>E.g. <c>message store error: permission denied</c>.</summary>
    public static string For(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var cause = exception is SpoolException { InnerException: { } inner } ? inner : exception;
        var what = cause switch
        {
            UnauthorizedAccessException => "permission denied",
            _ when exception is SpoolException { IsDiskFull: true } || SpoolErrors.IsDiskFull(cause) => "no space left on device",
            SpoolException => "invalid message",
            DirectoryNotFoundException or FileNotFoundException => "no such file or directory",
            InvalidOperationException => "operation failed",
            _ => "i/o error",
        };
        return "message store error: " + what;
    }
}
