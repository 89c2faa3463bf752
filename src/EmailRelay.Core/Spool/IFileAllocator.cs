using Microsoft.Win32.SafeHandles;

namespace EmailRelay.Spool;

/// <summary>
/// Where the spool's files come from and go to: every file the spool makes (new content, <c>.envelope.new</c>, an
/// edit's <c>.tmp</c>, a lock sidecar) is made here, and every file it removes (a delivered or POP-deleted message,
/// an abandoned new message, a released sidecar, an edit's old envelope) is removed here. The default is
/// <see cref="PlainFileAllocator"/> (create, rename and unlink, as Postfix and chasquid do); <see cref="PooledFileAllocator"/>
/// reuses emptied files instead (<see cref="FilePool"/>). Either way the names the spool shows and the crash-state
/// table (<see cref="SpoolRecovery"/>) are the same: "removed" and "created" are each one atomic step on the spool
/// directory, and a file made here never shows a byte of an earlier message.
/// </summary>
internal interface IFileAllocator
{
    /// <summary>A short name for logs and benchmarks (<c>plain</c>, <c>pool</c>).</summary>
    string Name { get; }

    /// <summary>Creates <paramref name="path"/> (which must not exist), empty and open for writing; null with the errno (EEXIST: the name is taken).</summary>
    SafeFileHandle? TryCreate(string path, out int errno);

    /// <summary>Writes a whole file (<c>.envelope.new</c>, an edit's <c>.tmp</c>) at <paramref name="path"/>, created or truncated, in one write, and syncs its data if <paramref name="sync"/>.</summary>
    void WriteWhole(string path, ReadOnlySpan<byte> bytes, bool sync);

    /// <summary>Opens, creating if asked, and flocks a lock sidecar (<see cref="OwnerLock.TryAcquire"/>).</summary>
    OwnerLock? AcquireLock(string path, bool create, bool exclusive, out OwnerLock.Failure failure);

    /// <summary>Removes a file the spool owns; 0 or the errno (ENOENT: already gone).</summary>
    int Remove(string path);

    /// <summary>
    /// The first half of <see cref="Remove"/>: removes the name now and gives back in <paramref name="dirty"/> what
    /// <see cref="Reclaim"/> finishes later (null when nothing is left to do); 0 or the errno.
    /// </summary>
    int Retire(string path, out string? dirty);

    /// <summary>The second half of <see cref="Remove"/> for a file <see cref="Retire"/> left dirty.</summary>
    void Reclaim(string dirty);

    /// <summary>Renames the synced <paramref name="replacement"/> over <paramref name="target"/> in one atomic step, disposing of the old file.</summary>
    void Replace(string replacement, string target);

    /// <summary>Cleans what a crash left in the allocator's own files; the number cleaned.</summary>
    int Recover();
}
