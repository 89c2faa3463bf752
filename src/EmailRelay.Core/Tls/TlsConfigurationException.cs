namespace EmailRelay.Tls;

/// <summary>A TLS option that cannot be used (bad certificate file, unknown tls-config word): fatal at startup.</summary>
internal sealed class TlsConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TlsConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    public TlsConfigurationException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception.</summary>
    public TlsConfigurationException()
    {
    }
}
