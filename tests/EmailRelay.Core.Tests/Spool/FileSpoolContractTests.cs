using EmailRelay.Spool;
using EmailRelay.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EmailRelay.Core.Tests.Spool;

public sealed class FileSpoolContractTests : SpoolContractTests, IDisposable
{
    private readonly TestDirectory _directory = new();
    private readonly FileSpool _spool;

    public FileSpoolContractTests() => _spool = new FileSpool(_directory.Path, NullLogger.Instance, TimeProvider.System);

    protected override IMessageSpool Spool => _spool;

    protected override void RemoveEnvelopeExternally(INewMessage message) => File.Delete(((ISpoolFiles)message).EnvelopePath);

    protected override void AssertEmpty() => Assert.Empty(Directory.GetFiles(_directory.Path));

    public void Dispose() => _directory.Dispose();
}
