namespace EmailRelay.Platform.Unix;

/// <summary>
/// The values that differ between Unix systems for the calls <see cref="UnixFiles"/> makes: <c>open</c> flags,
/// <c>AT_FDCWD</c>, and the errno numbers the spool tells apart (mapped to <see cref="FileErrors"/>). One instance
/// per system (<see cref="Linux.LinuxFiles"/>, <see cref="MacOS.MacFiles"/>), each checked against its system's
/// headers by a unit test.
/// </summary>
internal sealed record UnixConstants
{
    /// <summary><c>O_WRONLY</c>.</summary>
    public required int WriteOnly { get; init; }

    /// <summary><c>O_RDWR</c>.</summary>
    public required int ReadWrite { get; init; }

    /// <summary><c>O_CREAT</c>.</summary>
    public required int Create { get; init; }

    /// <summary><c>O_EXCL</c>.</summary>
    public required int Exclusive { get; init; }

    /// <summary><c>O_TRUNC</c>.</summary>
    public required int Truncate { get; init; }

    /// <summary><c>O_CLOEXEC</c>.</summary>
    public required int CloseOnExec { get; init; }

    /// <summary><c>O_DIRECTORY</c>.</summary>
    public required int Directory { get; init; }

    /// <summary><c>AT_FDCWD</c>.</summary>
    public required int AtCurrentDirectory { get; init; }

    /// <summary>This system's errno number of each <see cref="FileErrors"/> code it can return.</summary>
    public required IReadOnlyDictionary<int, int> Errors { get; init; }

    /// <summary>The <c>open</c> flags of <paramref name="mode"/>.</summary>
    public int OpenFlags(FileOpenMode mode)
    {
        int flags = CloseOnExec;
        flags |= (mode & (FileOpenMode.Write | FileOpenMode.ReadWrite)) switch
        {
            FileOpenMode.Write => WriteOnly,
            FileOpenMode.ReadWrite => ReadWrite,
            _ => 0,
        };
        flags |= mode.HasFlag(FileOpenMode.Create) ? Create : 0;
        flags |= mode.HasFlag(FileOpenMode.Exclusive) ? Exclusive : 0;
        flags |= mode.HasFlag(FileOpenMode.Truncate) ? Truncate : 0;
        return flags;
    }

    /// <summary>The <see cref="FileErrors"/> code of errno <paramref name="errno"/>; <see cref="FileErrors.EIO"/> for one without a code (0 stays 0).</summary>
    public int ToPortable(int errno)
    {
        if (errno == 0)
        {
            return 0;
        }

        foreach (var (portable, native) in Errors)
        {
            if (native == errno)
            {
                return portable;
            }
        }

        return FileErrors.EIO;
    }
}
