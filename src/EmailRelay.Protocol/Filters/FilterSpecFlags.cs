namespace EmailRelay.Protocol.Filters;

/// <summary>Switch options of the built-in <c>copy:</c>, <c>deliver:</c> and <c>split:</c> filters.</summary>
[Flags]
public enum FilterSpecFlags
{
    /// <summary>No option.</summary>
    None = 0,

    /// <summary><c>pop</c> / <c>p</c> (copy, deliver): copy only the envelope; the content stays for <c>--pop-by-name</c>.</summary>
    Pop = 1,

    /// <summary><c>hardlink</c> / <c>h</c> (copy, deliver): hard-link the content instead of copying it.</summary>
    Hardlink = 2,

    /// <summary><c>nodelete</c> / <c>no_delete</c> / <c>n</c> (copy, deliver): keep the original and return ok.</summary>
    NoDelete = 4,

    /// <summary><c>raw</c> (split): compare domains case-sensitively.</summary>
    Raw = 8,
}
