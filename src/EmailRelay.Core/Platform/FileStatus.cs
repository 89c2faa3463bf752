namespace EmailRelay.Platform;

/// <summary>
/// What the spool reads of a file: its identity (device and inode; on Windows the volume serial number and file
/// index), link count, size and owner (0 where there are no numeric owners).
/// </summary>
internal readonly record struct FileStatus(ulong Device, ulong Inode, uint Links, long Size, uint Owner);
