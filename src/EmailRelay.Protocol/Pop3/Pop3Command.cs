namespace EmailRelay.Protocol.Pop3;

/// <summary>
/// One parsed POP3 command line: the verb and everything after the first space, unchanged (PASS
/// needs the raw rest of the line, spaces included).
/// </summary>
/// <param name="Verb">The command.</param>
/// <param name="Argument">The text after the verb and one space; empty if none.</param>
internal readonly record struct Pop3Command(Pop3Verb Verb, string Argument)
{
    /// <summary>The argument split into words on spaces (empty words dropped).</summary>
    public string[] Words => Argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
