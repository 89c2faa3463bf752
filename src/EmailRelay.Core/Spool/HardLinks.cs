namespace EmailRelay.Spool;

/// <summary>The hard links of <c>copy:</c>, <c>deliver:</c> and <c>split:</c>, through this system's file layer.</summary>
internal static class HardLinks
{
    /// <summary>Hard-links <paramref name="existing"/> as <paramref name="newPath"/>; throws <see cref="IOException"/> on failure (the errno in its HResult).</summary>
    public static void Create(string existing, string newPath)
    {
        int errno = SpoolNative.Link(existing, newPath);
        if (errno != 0)
        {
            throw new IOException("cannot link \"" + newPath + "\": errno " + errno, errno);
        }
    }
}
