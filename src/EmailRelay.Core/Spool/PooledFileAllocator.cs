using Microsoft.Win32.SafeHandles;

namespace EmailRelay.Spool;

/// <summary>
/// The <see cref="IFileAllocator"/> over a <see cref="FilePool"/>: files are taken from the pool by a
/// <c>RENAME_NOREPLACE</c> rename and given back to it emptied, and created or unlinked only when the pool has none
/// or is full. See <see cref="FilePool"/> for when that is faster and for its crash and privacy rules.
/// </summary>
internal sealed class PooledFileAllocator(FilePool pool) : IFileAllocator
{
    /// <summary>The pool.</summary>
    public FilePool Pool { get; } = pool;

    /// <inheritdoc />
    public string Name => "pool";

    /// <inheritdoc />
    public SafeFileHandle? TryCreate(string path, out int errno)
    {
        SafeFileHandle? taken = Pool.TryTakeFile(path, out errno);
        return taken ?? (errno == SpoolNative.EEXIST ? null : SpoolNative.OpenForWriting(path, exclusive: true, out errno));
    }

    /// <inheritdoc />
    public void WriteWhole(string path, ReadOnlySpan<byte> bytes, bool sync)
    {
        SafeFileHandle? taken = Pool.TryTakeFile(path, out _);
        if (taken is null)
        {
            SpoolFile.Write(path, bytes, sync);
            return;
        }

        using (taken)
        {
            RandomAccess.Write(taken, bytes, 0);
            if (sync)
            {
                SpoolNative.SyncData(taken, path);
            }
        }
    }

    /// <inheritdoc />
    public OwnerLock? AcquireLock(string path, bool create, bool exclusive, out OwnerLock.Failure failure) =>
        OwnerLock.TryAcquire(path, create, exclusive, out failure, Pool);

    /// <inheritdoc />
    public int Remove(string path) => Pool.Recycle(path);

    /// <inheritdoc />
    public int Retire(string path, out string? dirty) => Pool.Retire(path, out dirty);

    /// <inheritdoc />
    public void Reclaim(string dirty) => Pool.Reclaim(dirty);

    /// <inheritdoc />
    public void Replace(string replacement, string target)
    {
        if (SpoolNative.RenameExchange(replacement, target) == 0)
        {
            // One atomic swap as the rename-over was; the old file, now at the replacement's name, goes to the pool
            // instead of being freed by the rename (a crash in between leaves a .tmp, which recovery removes).
            _ = Pool.Recycle(replacement);
            return;
        }

        File.Move(replacement, target, overwrite: true);
    }

    /// <inheritdoc />
    public int Recover() => Pool.Recover();
}
