namespace EmailRelay.Cli.CommandLine;

/// <summary>E-MailRelay's help-section tags for an option (an option may carry several).</summary>
[Flags]
internal enum OptionGroups
{
    /// <summary>No tag.</summary>
    None = 0,

    /// <summary>Shown by plain <c>--help</c>.</summary>
    Basic = 1,

    /// <summary>Logging options.</summary>
    Logging = 2,

    /// <summary>SMTP server options.</summary>
    Server = 4,

    /// <summary>SMTP client (forwarding) options.</summary>
    Client = 8,

    /// <summary>Filter options.</summary>
    Filter = 16,

    /// <summary>POP3 server options.</summary>
    Pop = 32,

    /// <summary>Admin interface options.</summary>
    Admin = 64,

    /// <summary>Authentication options.</summary>
    Auth = 128,

    /// <summary>TLS options.</summary>
    Tls = 256,

    /// <summary>Process options.</summary>
    Process = 512,

    /// <summary>Hidden from help.</summary>
    Hidden = 1024,
}
