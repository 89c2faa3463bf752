namespace EmailRelay.Platform;

/// <summary>
/// The error codes of <see cref="IFilePlatform"/>: Linux's errno numbers, used as portable codes on every system
/// (each platform maps its own errno or Win32 error to these; <see cref="IFilePlatform.ToPortableError"/>).
/// </summary>
internal static class FileErrors
{
    /// <summary>Operation not permitted.</summary>
    public const int EPERM = 1;

    /// <summary>No such file or directory.</summary>
    public const int ENOENT = 2;

    /// <summary>Held by someone else (a lock or a sharing conflict).</summary>
    public const int EWOULDBLOCK = 11;

    /// <summary>Permission denied.</summary>
    public const int EACCES = 13;

    /// <summary>The name exists.</summary>
    public const int EEXIST = 17;

    /// <summary>Not on the same file system.</summary>
    public const int EXDEV = 18;

    /// <summary>Invalid argument (also: the file system cannot do this).</summary>
    public const int EINVAL = 22;

    /// <summary>No space left.</summary>
    public const int ENOSPC = 28;

    /// <summary>Read-only file system.</summary>
    public const int EROFS = 30;

    /// <summary>Not implemented on this system.</summary>
    public const int ENOSYS = 38;

    /// <summary>Not supported by this file system.</summary>
    public const int EOPNOTSUPP = 95;

    /// <summary>Quota exceeded.</summary>
    public const int EDQUOT = 122;

    /// <summary>Some other error (one that has no code here).</summary>
    public const int EIO = 5;
}
