using EmailRelay.Spool;

namespace EmailRelay.Filters;

/// <summary>
/// The one place a built-in filter that edits content replaces the content file: today by path, through
/// <c>&lt;id&gt;.content.tmp</c>, a data sync and a rename over the content (as <c>msgid:</c> and <c>spam-edit:</c>
/// do), so a crash leaves either the old content or the new one. When the spool gains its replace-content verb this
/// class becomes a call to it.
/// </summary>
internal static class ContentRewriter
{
    private const int BufferSize = 64 * 1024;

    /// <summary>Writes <paramref name="prefix"/> followed by the current content, then puts that in place of the content.</summary>
    public static async Task PrependAsync(string contentPath, ReadOnlyMemory<byte> prefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contentPath);
        var temp = contentPath + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;
        }

        bool moved = false;
        try
        {
            await using (var output = new FileStream(temp, options))
            {
                await output.WriteAsync(prefix, cancellationToken);
                await using (var input = new FileStream(contentPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0))
                {
                    await input.CopyToAsync(output, BufferSize, cancellationToken);
                }

                SpoolNative.SyncData(output);
            }

            File.Move(temp, contentPath, overwrite: true);
            moved = true;
        }
        finally
        {
            if (!moved)
            {
                File.Delete(temp);
            }
        }
    }
}
