using Microsoft.Win32.SafeHandles;

namespace EmailRelay.Spool;

/// <summary>
/// Free, empty files kept in the spool's hidden subdirectory <c>.pool</c>, so that in steady state the spool
/// renames files instead of allocating and freeing inodes. Where the spool used to unlink a file it owns (a
/// delivered or POP-deleted message, an abandoned new message, a released lock sidecar) it gives the file here
/// (<see cref="Recycle"/>, <see cref="RecycleEmpty"/>); where it used to create one (new content,
/// <c>.envelope.new</c>, a lock sidecar) it first tries to take one from here (<see cref="TryTakeFile"/>,
/// <see cref="TryTakeLocked"/>) and creates a file only when none is left.
/// </summary>
/// <remarks>
/// <para>Why: on ext4 without a journal (this project's build machine) allocating an inode skips, one buffer lookup
/// each, every inode of the group freed in the last 60-300 s, under the directory lock; a spool that creates and
/// frees two or three files per message made every create cost hundreds of microseconds of kernel CPU. A rename
/// allocates nothing.</para>
/// <para><b>Sharing.</b> The pool is on disk next to the messages, so every process using the spool (the server, a
/// forwarding <c>--as-client</c>, POP) feeds and drains the same pool; each keeps the names it knows in memory and
/// lists the directory only when it knows none (at most every 100 ms while that finds nothing). Names are
/// <c>&lt;pid&gt;.&lt;token&gt;.&lt;seq&gt;</c> (a random token per pool), made with <c>RENAME_NOREPLACE</c>, so processes never collide, and a take is
/// one atomic rename, so two takers never get the same file (the loser sees ENOENT and tries the next name).
/// The directory starts with a dot: E-MailRelay's and our <c>copy:</c> filters skip such subdirectories, scanners
/// read only the spool directory itself, and <c>--pop-by-name</c> refuses it as a user name.</para>
/// <para><b>Privacy and crash safety.</b> A file leaves its message name by one rename to <c>&lt;name&gt;.dirty</c>
/// (for the message that is the same atomic step as the unlink it replaces), is truncated to zero there, and only
/// then renamed to its clean name, which is the only kind a taker takes. A file with more than one link (content
/// hard-linked by <c>split:</c>, <c>copy:</c> or <c>deliver:</c>) is never truncated: its dirty name is unlinked. A
/// crash leaves at worst a <c>.dirty</c> file, which <see cref="Recover"/> truncates (or unlinks) at the next start;
/// on a journalling file system the truncate reaches the disk before the clean name does. A taker opens the file
/// under its new name, checks it has one link, and truncates it if it is not empty, so message data never leaks
/// from one message into another. Held lock sidecars are given with their lock still held (<see cref="RecycleEmpty"/>)
/// and taken lock-first (<see cref="TryTakeLocked"/>), so a sidecar is never unlocked under a name it guards.</para>
/// <para><b>Bounds.</b> A process keeps at most <see cref="Capacity"/> names; beyond that, files are unlinked as
/// before. <see cref="Recover"/> trims the directory to the same bound.</para>
/// </remarks>
internal sealed class FilePool
{
    /// <summary>The pool's directory name inside the spool.</summary>
    public const string DirectoryName = ".pool";

    /// <summary>
    /// The default <see cref="Capacity"/>: enough for a burst of about 8,000 messages delivered at once (two files each)
    /// to be reused by the next burst received. Each file kept costs one empty inode and directory entry on disk, and
    /// 8 bytes of memory for a name this process made (a name found by listing the directory costs a string).
    /// </summary>
    public const int DefaultCapacity = 16384;

    private const string DirtySuffix = ".dirty";
    private const long RescanMilliseconds = 100;
    private const int MaxTakeAttempts = 8;

    private static long s_sequence;
    private readonly Lock _gate = new();
    private readonly Names _names = new();
    private readonly string _prefix;
    private readonly string _namePrefix;
    private long _nextScan;
    private int _state; // 0 unknown, 1 directory present, -1 disabled
    private long _taken;
    private long _given;

    /// <summary>Creates the pool of the spool directory <paramref name="spoolDirectory"/>; nothing is made on disk until a file is given.</summary>
    public FilePool(string spoolDirectory, int capacity = DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(spoolDirectory);
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Directory = Path.Combine(spoolDirectory, DirectoryName);
        Capacity = capacity;
        // The pid, and a random token for processes of other pid namespaces (containers) that share the spool.
        _namePrefix = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Environment.ProcessId}.{Random.Shared.Next():x8}.");
        _prefix = Path.Combine(Directory, _namePrefix);
        if (!OperatingSystem.IsLinux())
        {
            _state = -1;
        }
    }

    /// <summary>The pool directory.</summary>
    public string Directory { get; }

    /// <summary>The most names this process keeps.</summary>
    public int Capacity { get; }

    /// <summary>How many files were taken from the pool (tests, measurements).</summary>
    public long Taken => Interlocked.Read(ref _taken);

    /// <summary>How many files were given to the pool (tests, measurements).</summary>
    public long Given => Interlocked.Read(ref _given);

    /// <summary>False once the file system refused a pool operation (no <c>RENAME_NOREPLACE</c>, no permission): then everything is created and unlinked as before.</summary>
    public bool IsEnabled => Volatile.Read(ref _state) >= 0;

    /// <summary>
    /// Takes a pool file as <paramref name="target"/>, which must not exist, and opens it read-write, empty. Null if
    /// the pool has none (or <paramref name="target"/> exists: then <paramref name="errno"/> is EEXIST); the caller then
    /// creates the file as it would without a pool.
    /// </summary>
    public SafeFileHandle? TryTakeFile(string target, out int errno)
    {
        errno = 0;
        for (int attempt = 0; attempt < MaxTakeAttempts && TryPop(out string? name); attempt++)
        {
            string path = Path.Combine(Directory, name);
            int renamed = SpoolNative.RenameNoReplace(path, target);
            if (renamed == SpoolNative.ENOENT)
            {
                continue;
            }

            if (renamed != 0)
            {
                Refused(name, renamed);
                errno = renamed == SpoolNative.EEXIST ? renamed : 0;
                return null;
            }

            SafeFileHandle? handle = SpoolNative.OpenReadWrite(target, create: false, exclusive: false, out _);
            if (handle is not null && Prepare(handle))
            {
                Interlocked.Increment(ref _taken);
                return handle;
            }

            // Not ours to use (another owner's file, or linked elsewhere): drop our name for it and create instead.
            handle?.Dispose();
            _ = SpoolNative.TryUnlink(target, out _);
            return null;
        }

        return null;
    }

    /// <summary>
    /// Takes a pool file as the lock sidecar <paramref name="target"/>, which must not exist, with an exclusive
    /// <c>flock</c> taken <i>before</i> the rename, so that nobody else ever holds it under <paramref name="target"/>.
    /// Null if the pool has none (or <paramref name="target"/> exists: <paramref name="errno"/> EEXIST).
    /// </summary>
    public SafeFileHandle? TryTakeLocked(string target, out int errno)
    {
        errno = 0;
        for (int attempt = 0; attempt < MaxTakeAttempts && TryPop(out string? name); attempt++)
        {
            string path = Path.Combine(Directory, name);
            SafeFileHandle? handle = SpoolNative.OpenReadWrite(path, create: false, exclusive: false, out _);
            if (handle is null)
            {
                continue;
            }

            if (!SpoolNative.TryLockExclusive(handle, out _))
            {
                // Its giver still holds it (about to close), or another taker has it: leave it for a later scan.
                handle.Dispose();
                continue;
            }

            int renamed = SpoolNative.RenameNoReplace(path, target);
            if (renamed == 0 && SpoolNative.IsNamedBy(handle, target) && Prepare(handle))
            {
                Interlocked.Increment(ref _taken);
                return handle;
            }

            handle.Dispose();
            if (renamed == 0)
            {
                // Another file than the one we locked came to this name (a reused pid): the caller opens what is there.
                errno = SpoolNative.EEXIST;
                return null;
            }

            if (renamed != SpoolNative.ENOENT)
            {
                Refused(name, renamed);
                errno = renamed == SpoolNative.EEXIST ? renamed : 0;
                return null;
            }
        }

        return null;
    }

    /// <summary>
    /// Removes the name <paramref name="path"/> as <c>unlink(2)</c> would, keeping its file for reuse when the pool has
    /// room and the file has no other link. Returns 0, or the errno of the removal (ENOENT: it was already gone).
    /// </summary>
    public int Recycle(string path)
    {
        int errno = Retire(path, out string? dirty);
        if (dirty is not null)
        {
            // The message name is gone; whatever follows only decides whether the file is kept.
            Reclaim(dirty);
        }

        return errno;
    }

    /// <summary>
    /// The first half of <see cref="Recycle"/>: removes the name <paramref name="path"/> as <c>unlink(2)</c> would,
    /// in one rename, and leaves the file at a dirty pool name (<paramref name="dirty"/>, null when the file was
    /// unlinked instead) for <see cref="Reclaim"/> to empty later. Lets a caller reply to its client as soon as the
    /// name is gone and do the truncating afterwards; a crash in between leaves a <c>.dirty</c> file for
    /// <see cref="Recover"/>. Returns 0, or the errno of the removal (ENOENT: it was already gone).
    /// </summary>
    public int Retire(string path, out string? dirty)
    {
        dirty = null;
        if (!HasRoom() || !EnsureDirectory())
        {
            return Unlink(path);
        }

        string name = NextName() + DirtySuffix;
        int errno = SpoolNative.RenameNoReplace(path, name);
        if (errno == SpoolNative.ENOENT && !File.Exists(path))
        {
            return errno;
        }

        if (errno != 0)
        {
            Refused(null, errno);
            return Unlink(path);
        }

        dirty = name;
        return 0;
    }

    /// <summary>The second half of <see cref="Recycle"/>: empties a file <see cref="Retire"/> left dirty and makes it clean (or unlinks it if it has another link).</summary>
    public void Reclaim(string dirty)
    {
        ArgumentNullException.ThrowIfNull(dirty);
        if (!dirty.EndsWith(DirtySuffix, StringComparison.Ordinal))
        {
            throw new ArgumentException("not a dirty pool name", nameof(dirty));
        }

        _ = Clean(dirty, dirty[..^DirtySuffix.Length]);
    }

    /// <summary>
    /// Gives the empty lock sidecar at <paramref name="path"/>, whose <c>flock</c> the caller holds through
    /// <paramref name="heldLock"/> (and closes after this), to the pool, or unlinks it. The flock is released only once
    /// the file has left <paramref name="path"/>, and before the pool hands it out, so a taker does not find it held.
    /// Returns 0 or the errno of the removal.
    /// </summary>
    public int RecycleEmpty(string path, SafeFileHandle? heldLock = null)
    {
        if (!HasRoom() || !EnsureDirectory())
        {
            return Unlink(path);
        }

        string clean = NextName();
        int errno = SpoolNative.RenameNoReplace(path, clean);
        if (errno == 0)
        {
            if (heldLock is not null)
            {
                SpoolNative.Unlock(heldLock);
            }

            Push(clean);
            Interlocked.Increment(ref _given);
            return 0;
        }

        if (errno == SpoolNative.ENOENT && !File.Exists(path))
        {
            return errno;
        }

        Refused(null, errno);
        return Unlink(path);
    }

    /// <summary>
    /// Startup clean-up of what crashes left: every <c>.dirty</c> file is truncated and made clean (or unlinked if
    /// linked elsewhere), a clean file that is not empty is truncated, and files beyond <see cref="Capacity"/> are
    /// unlinked. Safe while other processes use the pool. Returns how many leftovers were cleaned or removed.
    /// </summary>
    public int Recover()
    {
        if (!IsEnabled || !System.IO.Directory.Exists(Directory))
        {
            return 0;
        }

        int fixedCount = 0;
        int kept = 0;
        foreach (string path in System.IO.Directory.EnumerateFiles(Directory))
        {
            if (path.EndsWith(DirtySuffix, StringComparison.Ordinal))
            {
                fixedCount++;
                string clean = path[..^DirtySuffix.Length];
                if (kept < Capacity && Clean(path, clean))
                {
                    kept++;
                }

                continue;
            }

            if (kept >= Capacity || !SpoolNative.TryStat(path, out SpoolNative.FileStatus status) || status.Links != 1)
            {
                fixedCount += SpoolNative.TryUnlink(path, out _) ? 1 : 0;
                continue;
            }

            if (status.Size != 0)
            {
                fixedCount++;
                _ = SpoolNative.Truncate(path, 0);
            }

            kept++;
        }

        return fixedCount;
    }

    /// <summary>Truncates <paramref name="dirty"/> (unlinks it if it has another link) and renames it to <paramref name="clean"/>; true if kept.</summary>
    private bool Clean(string dirty, string clean)
    {
        if (!SpoolNative.TryStat(dirty, out SpoolNative.FileStatus status) || status.Links != 1 ||
            SpoolNative.Truncate(dirty, 0) != 0 || SpoolNative.RenameNoReplace(dirty, clean) != 0)
        {
            // Linked elsewhere (never truncate another message's content), or already handled by a concurrent recovery.
            _ = SpoolNative.TryUnlink(dirty, out _);
            return false;
        }

        Push(Path.GetFileName(clean));
        Interlocked.Increment(ref _given);
        return true;
    }

    /// <summary>One link, and empty (truncated if not): a file a new message may use.</summary>
    private static bool Prepare(SafeFileHandle handle)
    {
        if (!SpoolNative.TryStat(handle, out SpoolNative.FileStatus status) || status.Links != 1)
        {
            return false;
        }

        if (status.Size != 0)
        {
            RandomAccess.SetLength(handle, 0);
        }

        return true;
    }

    private bool HasRoom()
    {
        if (!IsEnabled)
        {
            return false;
        }

        lock (_gate)
        {
            return _names.Count < Capacity;
        }
    }

    private bool EnsureDirectory()
    {
        int state = Volatile.Read(ref _state);
        if (state != 0)
        {
            return state > 0;
        }

        int errno = SpoolNative.MakeDirectory(Directory);
        Volatile.Write(ref _state, errno is 0 or SpoolNative.EEXIST ? 1 : -1);
        return IsEnabled;
    }

    private string NextName() => _prefix + Interlocked.Increment(ref s_sequence).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private void Push(string name)
    {
        lock (_gate)
        {
            _names.Push(Path.GetFileName(name), _namePrefix);
        }
    }

    private bool TryPop([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? name)
    {
        lock (_gate)
        {
            if (_names.TryPop(_namePrefix, out name))
            {
                return true;
            }

            if (!IsEnabled || Environment.TickCount64 < _nextScan)
            {
                return false;
            }

            // Files other processes gave: list the directory, at most every 100 ms while it finds none.
            _nextScan = Environment.TickCount64 + RescanMilliseconds;
        }

        List<string> found = Scan();
        lock (_gate)
        {
            if (found.Count > 0)
            {
                _nextScan = 0;
            }

            foreach (string each in found)
            {
                if (_names.Count < Capacity)
                {
                    _names.Push(each, _namePrefix);
                }
            }

            return _names.TryPop(_namePrefix, out name);
        }
    }

    private List<string> Scan()
    {
        var found = new List<string>();
        try
        {
            foreach (string path in System.IO.Directory.EnumerateFiles(Directory))
            {
                if (!path.EndsWith(DirtySuffix, StringComparison.Ordinal) && found.Count < Capacity)
                {
                    found.Add(Path.GetFileName(path));
                }
            }
        }
        catch (Exception exception) when (SpoolErrors.IsIo(exception))
        {
            // No directory yet (nothing given), or unreadable: nothing to take.
        }

        return found;
    }

    /// <summary>
    /// A rename that failed for a reason other than a lost race: this file is created or unlinked as without a pool, and
    /// where the file system cannot do it at all (no <c>RENAME_NOREPLACE</c>: EINVAL, ENOSYS; EXDEV; no permission; read-only)
    /// the pool is switched off for this process.
    /// </summary>
    private void Refused(string? name, int errno)
    {
        if (errno == SpoolNative.EEXIST && name is not null)
        {
            Push(name);
        }

        if (errno is SpoolNative.EINVAL or SpoolNative.ENOSYS or SpoolNative.EXDEV or SpoolNative.EPERM or SpoolNative.EACCES or SpoolNative.EROFS)
        {
            Volatile.Write(ref _state, -1);
        }
    }

    private static int Unlink(string path) => SpoolNative.TryUnlink(path, out int errno) ? 0 : errno;

    /// <summary>The names a pool knows, last in first out: its own as bare sequence numbers (8 bytes each), others' as strings.</summary>
    private sealed class Names
    {
        private readonly Stack<long> _own = new();
        private readonly Stack<string> _found = new();

        public int Count => _own.Count + _found.Count;

        public void Push(string name, string ownPrefix)
        {
            if (name.StartsWith(ownPrefix, StringComparison.Ordinal) &&
                long.TryParse(name.AsSpan(ownPrefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long sequence))
            {
                _own.Push(sequence);
            }
            else
            {
                _found.Push(name);
            }
        }

        public bool TryPop(string ownPrefix, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? name)
        {
            if (_own.TryPop(out long sequence))
            {
                name = ownPrefix + sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return true;
            }

            return _found.TryPop(out name);
        }
    }
}
