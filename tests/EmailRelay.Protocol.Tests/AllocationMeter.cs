namespace EmailRelay.Protocol.Tests;

/// <summary>Measures steady-state allocation of a body of code on the current thread.</summary>
internal static class AllocationMeter
{
    /// <summary>
    /// Runs <paramref name="body"/> <paramref name="iterations"/> times per round and returns the least number of
    /// bytes a round allocated. Tiered compilation can allocate on this thread once while a method is promoted, so
    /// one round can show bytes that are not the code's; an allocation per call shows in every round.
    /// </summary>
    public static long LeastPerRound(Action body, int iterations = 100, int rounds = 5)
    {
        long least = long.MaxValue;
        for (int round = 0; round < rounds; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < iterations; i++)
            {
                body();
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }
}
