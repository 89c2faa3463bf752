namespace EmailRelay.Cli.Daemon;

/// <summary>
/// Switching the effective user (reference §h "Daemon, pid file and user"). Calling sequence: bind listeners and
/// write the pid file as the starting user, then <see cref="DropTo"/>; <see cref="Regain"/> before root-only cleanup.
/// When the process was not started as root, both do nothing.
/// </summary>
internal interface IPrivileges
{
    /// <summary>True if the process runs with effective uid 0.</summary>
    bool IsRoot { get; }

    /// <summary>
    /// Drops supplementary groups and switches the effective gid and uid to <paramref name="user"/>'s (the real ids
    /// stay root so root can be taken back). <c>root</c> means no switch. Throws
    /// <see cref="EmailRelay.Hosting.ConfigurationException"/> for an unknown user.
    /// </summary>
    void DropTo(string user);

    /// <summary>
    /// For a root start, before anything is created: umask 007, so spool files are group read-write (<c>0660</c>)
    /// for <c>--user</c>'s group as E-MailRelay's are (reference §b "File modes"), and nothing is world-accessible.
    /// Does nothing when not root.
    /// </summary>
    void UseGroupUmask();

    /// <summary>
    /// The user <see cref="DropTo"/> should switch to for <c>--user</c> <paramref name="requested"/>: that user, except
    /// in a set-user-id-root program run by another user, where it is the real user (as E-MailRelay drops to the real
    /// user, so a setuid copy never lends its caller another account).
    /// </summary>
    string TargetUser(string requested);

    /// <summary>
    /// True if the current effective ids may create and delete entries in <paramref name="directory"/> (write and
    /// search permission, checked by the kernel for the effective ids, so ACLs and read-only mounts count).
    /// </summary>
    bool CanWrite(string directory);

    /// <summary>Gives <paramref name="path"/> the primary group of <paramref name="user"/> (root only; else nothing).</summary>
    void ShareWithGroupOf(string path, string user);

    /// <summary>Takes back root effective ids after <see cref="DropTo"/>; does nothing otherwise.</summary>
    void Regain();
}
