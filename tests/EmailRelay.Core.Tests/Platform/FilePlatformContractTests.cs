using EmailRelay.Platform;
using EmailRelay.Platform.Linux;
using EmailRelay.Testing;
using Microsoft.Win32.SafeHandles;

namespace EmailRelay.Core.Tests.Platform;

/// <summary>
/// The behaviour the spool relies on from <see cref="IFilePlatform"/>, on the real file system: over this system's
/// layer, and on Linux also over the <c>fstat</c> path that systems without <c>statx</c> take.
/// </summary>
public sealed class FilePlatformContractTests : IDisposable
{
    private readonly TestDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    public static TheoryData<string> Layers => OperatingSystem.IsLinux() ? ["current", "linux-without-statx"] : ["current"];

    private static IFilePlatform Layer(string name) => name == "current" ? FilePlatform.Current : new LinuxFiles(useStatx: false);

    private string PathOf(string name) => Path.Combine(_directory.Path, name);

    private static SafeFileHandle Create(IFilePlatform files, string path, byte[] content)
    {
        SafeFileHandle handle = files.Open(path, FileOpenMode.ReadWrite | FileOpenMode.Create | FileOpenMode.Exclusive, out int error)
            ?? throw new IOException("open failed: " + error);
        RandomAccess.Write(handle, content, 0);
        files.Flush(handle, path);
        return handle;
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void Status_from_a_handle_and_from_a_name_gives_size_links_and_identity(string layer)
    {
        IFilePlatform files = Layer(layer);
        byte[] content = new byte[(3 * 65536) + 17];
        Random.Shared.NextBytes(content);
        string path = PathOf("message.content");
        using SafeFileHandle handle = Create(files, path, content);

        Assert.True(files.TryGetStatus(handle, out FileStatus open));
        Assert.Equal(content.Length, open.Size);
        Assert.Equal(1u, open.Links);

        Assert.Equal(0, files.Link(path, PathOf("copy.content")));
        Assert.True(files.TryGetStatus(path, out FileStatus named, out int error), "errno " + error);
        Assert.Equal((open.Device, open.Inode, 2u, (long)content.Length), (named.Device, named.Inode, named.Links, named.Size));
        Assert.Equal(new FileInfo(path).Length, named.Size);

        Assert.False(files.TryGetStatus(PathOf("missing"), out _, out error));
        Assert.Equal(FileErrors.ENOENT, error);
    }

    [LinuxFact]
    public void Both_linux_status_paths_agree()
    {
        string path = PathOf("message.content");
        File.WriteAllBytes(path, new byte[12345]);
        Assert.True(new LinuxFiles(useStatx: true).TryGetStatus(path, out FileStatus statx, out _));
        Assert.True(new LinuxFiles(useStatx: false).TryGetStatus(path, out FileStatus stat, out _));
        Assert.Equal(statx, stat);
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void Exclusive_create_of_an_existing_name_fails_with_eexist(string layer)
    {
        IFilePlatform files = Layer(layer);
        string path = PathOf("a");
        using (Create(files, path, [1]))
        {
        }

        Assert.Null(files.Open(path, FileOpenMode.Write | FileOpenMode.Create | FileOpenMode.Exclusive, out int error));
        Assert.Equal(FileErrors.EEXIST, error);
        Assert.Null(files.Open(PathOf("missing"), FileOpenMode.Read, out error));
        Assert.Equal(FileErrors.ENOENT, error);
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void Renames_replace_or_refuse_and_unlink_reports_a_missing_name(string layer)
    {
        IFilePlatform files = Layer(layer);
        File.WriteAllText(PathOf("a"), "a");
        File.WriteAllText(PathOf("b"), "b");

        Assert.Equal(FileErrors.EEXIST, files.RenameNoReplace(PathOf("a"), PathOf("b")));
        Assert.Equal("b", File.ReadAllText(PathOf("b")));
        Assert.Equal(0, files.Rename(PathOf("a"), PathOf("b")));
        Assert.Equal("a", File.ReadAllText(PathOf("b")));
        Assert.Equal(FileErrors.ENOENT, files.Rename(PathOf("a"), PathOf("c")));
        Assert.Equal(0, files.RenameNoReplace(PathOf("b"), PathOf("c")));
        Assert.Equal(0, files.Unlink(PathOf("c")));
        Assert.Equal(FileErrors.ENOENT, files.Unlink(PathOf("c")));
        files.SyncDirectory(_directory.Path);
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void The_owner_lock_excludes_every_other_handle_until_released_or_closed_and_never_blocks_reads(string layer)
    {
        IFilePlatform files = Layer(layer);
        string path = PathOf("id.lock");
        using SafeFileHandle owner = Create(files, path, [0, 0, 0]);
        using SafeFileHandle other = files.Open(path, FileOpenMode.ReadWrite, out _)!;

        Assert.True(files.TryLockOwner(owner, out _));
        Assert.False(files.TryLockOwner(other, out int error));
        Assert.Equal(FileErrors.EWOULDBLOCK, error);
        Assert.Equal(3, RandomAccess.Read(other, new byte[8], 0));

        files.UnlockOwner(owner);
        Assert.True(files.TryLockOwner(other, out _));
        Assert.False(files.TryLockOwner(owner, out _));

        other.Dispose();
        Assert.True(files.TryLockOwner(owner, out _));
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void A_name_can_be_renamed_and_removed_while_another_handle_reads_it(string layer)
    {
        IFilePlatform files = Layer(layer);
        string path = PathOf("m.content");
        using (Create(files, path, [1, 2, 3]))
        {
        }

        using SafeFileHandle reader = files.Open(path, FileOpenMode.Read, out _)!;
        Assert.Equal(0, files.Rename(path, PathOf("m2.content")));
        Assert.Equal(0, files.Unlink(PathOf("m2.content")));
        Assert.Equal(3, RandomAccess.Read(reader, new byte[8], 0));
    }
}
