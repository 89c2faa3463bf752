namespace EmailRelay.IntegrationTests;

/// <summary>Tests that load the whole machine (busy loops on every core) and so must not run beside any other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "serial";
}
