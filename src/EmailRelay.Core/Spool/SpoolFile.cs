using Microsoft.Win32.SafeHandles;

namespace EmailRelay.Spool;

/// <summary>Whole-file writes and fsync-bound work of the spool, shared by its types and the allocators.</summary>
internal static class SpoolFile
{
    /// <summary>Creates or truncates <paramref name="path"/>, writes <paramref name="bytes"/> and, if <paramref name="sync"/>, syncs its data.</summary>
    public static void Write(string path, ReadOnlySpan<byte> bytes, bool sync)
    {
        using SafeFileHandle handle = SpoolNative.OpenForWriting(path, exclusive: false, out int errno)
            ?? throw new IOException("cannot create \"" + path + "\": errno " + errno, errno);
        RandomAccess.Write(handle, bytes, 0);
        if (sync)
        {
            SpoolNative.SyncData(handle, path);
        }
    }

    /// <summary>Writes a whole file in one write and syncs its data (callers rename it into place, then sync the directory).</summary>
    public static void WriteDurably(string path, ReadOnlySpan<byte> bytes) => Write(path, bytes, sync: true);

    /// <summary>
    /// Runs a blocking fsync-bound action on one of the spool's long-lived <see cref="BlockingWorkers"/>
    /// threads, not the caller's and not a pool thread: fsyncs take milliseconds, and blocking pool
    /// threads would cap how many run at once (the pool grows slowly).
    /// </summary>
    public static Task RunBlocking(Action action) => BlockingWorkers.Run(action);
}
