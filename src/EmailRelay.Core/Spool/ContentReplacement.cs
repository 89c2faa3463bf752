namespace EmailRelay.Spool;

/// <summary>Replaces a content file durably: the new content is written to a temporary name, synced, and renamed over it.</summary>
internal static class ContentReplacement
{
    /// <summary>
    /// Runs <paramref name="write"/> over a new <paramref name="tmp"/>, syncs it and renames it over <paramref name="target"/>;
    /// on any failure the temporary file is removed and <paramref name="target"/> is as it was. The caller syncs the directory.
    /// </summary>
    public static async Task WriteAsync(string tmp, string target, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        try
        {
            var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, FileSpool.BufferSize);
            await using (stream)
            {
                await write(stream, cancellationToken);
                await stream.FlushAsync(cancellationToken);
                SpoolNative.SyncData(stream);
            }

            File.Move(tmp, target, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(tmp);
            }
            catch (Exception e) when (SpoolErrors.IsIo(e))
            {
                // Best effort: recovery and the next replacement remove a stale temporary file.
            }

            throw;
        }
    }
}
