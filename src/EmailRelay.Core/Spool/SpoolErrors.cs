using EmailRelay.Platform;
using EmailRelay.Protocol.Mail;

namespace EmailRelay.Spool;

/// <summary>Maps I/O failures to <see cref="SpoolException"/>, recognising a full disk or quota.</summary>
internal static class SpoolErrors
{
    /// <summary>True if the exception is ENOSPC or EDQUOT (or the Windows disk-full codes).</summary>
    public static bool IsDiskFull(Exception exception)
    {
        if (exception is not IOException io)
        {
            return false;
        }

        // Ours carry a FileErrors code; .NET's the system's own errno (Unix) or a 0x8007xxxx Win32 HResult (Windows).
        return io.HResult is SpoolNative.ENOSPC or SpoolNative.EDQUOT ||
            FilePlatform.Current.ToPortableError(io.HResult) is SpoolNative.ENOSPC or SpoolNative.EDQUOT;
    }

    /// <summary>Wraps an I/O failure.</summary>
    public static SpoolException Wrap(MessageId id, string what, Exception exception)
        => new(id, what + ": " + exception.Message, exception) { IsDiskFull = IsDiskFull(exception) };

    /// <summary>True for the exceptions file operations throw for environmental reasons.</summary>
    public static bool IsIo(Exception exception) => exception is IOException or UnauthorizedAccessException;
}
