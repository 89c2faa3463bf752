namespace EmailRelay.Protocol.Filters;

/// <summary>The kind of an <c>--address-verifier</c> spec (reference §c, "Address verifier").</summary>
public enum VerifierKind
{
    /// <summary>Empty or <c>exit:N</c>: every recipient is a valid remote address (the number is ignored).</summary>
    AcceptAll,

    /// <summary><c>net:host:port</c> or <c>net:/unix/path</c>: the network verifier protocol.</summary>
    Net,

    /// <summary><c>account:[opts]</c>: system accounts in a uid range.</summary>
    Account,

    /// <summary><c>file:path</c> or a bare path: an external program.</summary>
    File,
}
