using EmailRelay.Testing.Tools;

namespace EmailRelay.Testing;

/// <summary>The default deadline for black-box waits, and a shorthand for <see cref="Poll.UntilAsync"/> with it.</summary>
public static class Waiting
{
    /// <summary>Generous enough for a loaded 2-core CI machine.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Waits until <paramref name="condition"/> holds, or throws <see cref="TimeoutException"/> naming <paramref name="what"/>.</summary>
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
        => Poll.UntilAsync(condition, timeout ?? DefaultTimeout, what);
}
