namespace EmailRelay.Cli.CommandLine;

/// <summary>A command-line error inside the parser; <see cref="CommandLineParser"/> turns it into a <see cref="ParseFailure"/>.</summary>
internal sealed class CommandLineException : Exception
{
    /// <summary>Creates the error with its text (without the <c>emailrelay: error: </c> prefix).</summary>
    public CommandLineException(string message, bool suggestHelp = true)
        : base(message)
    {
        SuggestHelp = suggestHelp;
    }

    /// <summary>Creates the error with the default text.</summary>
    public CommandLineException()
        : this("invalid command line")
    {
    }

    /// <summary>Creates the error wrapping an inner exception.</summary>
    public CommandLineException(string message, Exception innerException)
        : base(message, innerException)
    {
        SuggestHelp = true;
    }

    /// <summary>Whether the <c>try "emailrelay --help --verbose"</c> line follows the error.</summary>
    public bool SuggestHelp { get; }
}
