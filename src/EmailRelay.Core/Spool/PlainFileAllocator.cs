using Microsoft.Win32.SafeHandles;

namespace EmailRelay.Spool;

/// <summary>The default <see cref="IFileAllocator"/>: files are created (<c>O_CREAT|O_EXCL</c>), renamed into place and unlinked.</summary>
internal sealed class PlainFileAllocator : IFileAllocator
{
    /// <summary>The one instance (it has no state).</summary>
    public static readonly PlainFileAllocator Instance = new();

    private PlainFileAllocator()
    {
    }

    /// <inheritdoc />
    public string Name => "plain";

    /// <inheritdoc />
    public SafeFileHandle? TryCreate(string path, out int errno) => SpoolNative.OpenForWriting(path, exclusive: true, out errno);

    /// <inheritdoc />
    public void WriteWhole(string path, ReadOnlySpan<byte> bytes, bool sync) => SpoolFile.Write(path, bytes, sync);

    /// <inheritdoc />
    public OwnerLock? AcquireLock(string path, bool create, bool exclusive, out OwnerLock.Failure failure) =>
        OwnerLock.TryAcquire(path, create, exclusive, out failure);

    /// <inheritdoc />
    public int Remove(string path) => SpoolNative.TryUnlink(path, out int errno) ? 0 : errno;

    /// <inheritdoc />
    public int Retire(string path, out string? dirty)
    {
        dirty = null;
        return Remove(path);
    }

    /// <inheritdoc />
    public void Reclaim(string dirty)
    {
    }

    /// <inheritdoc />
    public void Replace(string replacement, string target) => File.Move(replacement, target, overwrite: true);

    /// <inheritdoc />
    public int Recover() => 0;
}
