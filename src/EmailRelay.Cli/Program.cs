namespace EmailRelay.Cli;

/// <summary>The <c>emailrelay</c> executable's entry point.</summary>
internal static class Program
{
    private static int Main() => 0;
}
