namespace EmailRelay.Core.Tests;

/// <summary>Tests that measure the whole test process (descriptors, child processes) and so must not run beside any other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "serial";
}
