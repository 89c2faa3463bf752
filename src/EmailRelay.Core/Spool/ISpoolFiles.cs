namespace EmailRelay.Spool;

/// <summary>
/// Optional capability of a message (new or stored) whose content and envelope are files, as with
/// <c>FileSpool</c>. External filters and verifiers get these paths on their command line; a
/// non-file backend would not implement this.
/// </summary>
public interface ISpoolFiles
{
    /// <summary>Absolute path of the content file.</summary>
    string ContentPath { get; }

    /// <summary>Absolute path of the envelope file in its current state (<c>.new</c> or <c>.busy</c>).</summary>
    string EnvelopePath { get; }
}
