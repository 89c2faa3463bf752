namespace EmailRelay.Cli.CommandLine;

/// <summary>Whether an option takes a value.</summary>
internal enum ArgumentKind
{
    /// <summary>A flag: giving it a value is an error.</summary>
    None,

    /// <summary>A value is required: <c>--name=value</c>, <c>--name value</c> or <c>-x value</c>.</summary>
    Required,

    /// <summary>A value is optional and can only be attached with <c>=</c> (<c>--syslog[=facility]</c>).</summary>
    Optional,
}
