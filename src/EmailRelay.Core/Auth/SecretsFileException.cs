namespace EmailRelay.Auth;

/// <summary>A secrets file that cannot be used: fatal at startup (reference §d).</summary>
internal sealed class SecretsFileException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SecretsFileException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    public SecretsFileException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception.</summary>
    public SecretsFileException()
    {
    }
}
