namespace EmailRelay.Spool;

/// <summary>
/// Chooses a spool directory's <see cref="IFileAllocator"/>. The default is <see cref="PlainFileAllocator"/>.
/// <see cref="PooledFileAllocator"/> is chosen where it was measured to win (bench/RESULTS.md): ext4 without a
/// journal, where allocating an inode walks every inode freed in the last minutes under the directory lock.
/// The environment variable <c>EMAILRELAY_SPOOL_ALLOCATOR</c> (<c>plain</c> or <c>pool</c>) overrides the choice,
/// for benchmarks and for file systems not measured yet.
/// </summary>
internal static class FileAllocators
{
    /// <summary>The override's environment variable.</summary>
    public const string EnvironmentVariable = "EMAILRELAY_SPOOL_ALLOCATOR";

    /// <summary>The allocator for <paramref name="directory"/>.</summary>
    public static IFileAllocator For(string directory)
    {
        string? chosen = Environment.GetEnvironmentVariable(EnvironmentVariable);
        bool pool = chosen switch
        {
            "pool" => true,
            "plain" => false,
            _ => IsExt4WithoutJournal(directory),
        };
        return pool ? new PooledFileAllocator(new FilePool(directory)) : PlainFileAllocator.Instance;
    }

    /// <summary>
    /// True if <paramref name="directory"/> is on an ext4 file system without a journal: the kernel lists every mounted
    /// ext4 device in <c>/proc/fs/ext4/&lt;dev&gt;</c> and every journal in <c>/proc/fs/jbd2/&lt;dev&gt;-8</c>.
    /// </summary>
    internal static bool IsExt4WithoutJournal(string directory)
    {
        if (!OperatingSystem.IsLinux() || !SpoolNative.TryStat(directory, out SpoolNative.FileStatus status))
        {
            return false;
        }

        try
        {
            // FileStatus.Device is statx's stx_dev_major in the high 32 bits and stx_dev_minor in the low ones.
            ulong major = status.Device >> 32;
            ulong minor = status.Device & 0xffffffff;
            var link = new FileInfo("/sys/dev/block/" + major + ":" + minor).LinkTarget;
            if (link is null)
            {
                return false;
            }

            string name = Path.GetFileName(link);
            return System.IO.Directory.Exists("/proc/fs/ext4/" + name) && !System.IO.Directory.Exists("/proc/fs/jbd2/" + name + "-8");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
