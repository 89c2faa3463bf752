namespace EmailRelay.Hosting;

/// <summary>
/// A startup error in the configuration (a usage or semantic error). <c>Program</c> prints the message as
/// <c>emailrelay: error: &lt;message&gt;</c> and exits with <see cref="ExitCode"/> (1, reference §a).
/// </summary>
public sealed class ConfigurationException : Exception
{
    /// <summary>Creates the exception with exit code 1.</summary>
    public ConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with exit code 1, wrapping a cause.</summary>
    public ConfigurationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public ConfigurationException()
        : base("invalid configuration")
    {
    }

    /// <summary>The process exit code: 1.</summary>
    public int ExitCode { get; } = 1;
}
