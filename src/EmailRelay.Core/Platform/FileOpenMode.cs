namespace EmailRelay.Platform;

/// <summary>How <see cref="IFilePlatform.Open"/> opens a file.</summary>
[Flags]
internal enum FileOpenMode
{
    /// <summary>Read only.</summary>
    Read = 0,

    /// <summary>Write only.</summary>
    Write = 1,

    /// <summary>Read and write.</summary>
    ReadWrite = 2,

    /// <summary>Create the file if it does not exist.</summary>
    Create = 4,

    /// <summary>With <see cref="Create"/>: fail with EEXIST if it exists.</summary>
    Exclusive = 8,

    /// <summary>Truncate an existing file to zero length.</summary>
    Truncate = 16,
}
