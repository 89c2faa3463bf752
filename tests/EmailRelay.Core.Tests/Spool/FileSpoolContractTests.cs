using EmailRelay.Spool;
using EmailRelay.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EmailRelay.Core.Tests.Spool;

/// <summary>The spool contract over <see cref="FileSpool"/> with each file allocator (<see cref="FileSpoolContractTests.Plain"/>, <see cref="FileSpoolContractTests.Pooled"/>).</summary>
public abstract class FileSpoolContractTests : SpoolContractTests, IDisposable
{
    private readonly TestDirectory _directory = new();
    private readonly FileSpool _spool;

    protected FileSpoolContractTests(bool pooled) => _spool = new FileSpool(_directory.Path, NullLogger.Instance, TimeProvider.System)
    {
        MemoryBacked = false,
        Pool = pooled ? new FilePool(_directory.Path) : null,
    };

    protected override IMessageSpool Spool => _spool;

    protected override void RemoveEnvelopeExternally(INewMessage message) => File.Delete(((ISpoolFiles)message).EnvelopePath);

    protected override void AssertEmpty() => Assert.Empty(Directory.GetFiles(_directory.Path));

    public void Dispose()
    {
        _directory.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Files created, renamed and unlinked (the default).</summary>
    public sealed class Plain() : FileSpoolContractTests(pooled: false)
    {
        [Fact]
        public void The_allocator_is_plain() => Assert.Equal("plain", ((FileSpool)Spool).Files.Name);
    }

    /// <summary>Files reused through the free-file pool.</summary>
    public sealed class Pooled() : FileSpoolContractTests(pooled: true)
    {
        [Fact]
        public void The_allocator_is_the_pool() => Assert.Equal("pool", ((FileSpool)Spool).Files.Name);
    }
}
