using Microsoft.Extensions.Logging;

namespace EmailRelay.Cli.Logging;

/// <summary>An <see cref="ILoggerFactory"/> over the one <see cref="RelayLoggerProvider"/> (no other providers: the format is the contract).</summary>
internal sealed class RelayLoggerFactory : ILoggerFactory
{
    private readonly RelayLoggerProvider _provider;

    /// <summary>Creates the factory; it does not own the provider.</summary>
    public RelayLoggerFactory(RelayLoggerProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        _provider = provider;
    }

    /// <inheritdoc />
    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("the log format is fixed");

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => _provider.CreateLogger(categoryName);

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
