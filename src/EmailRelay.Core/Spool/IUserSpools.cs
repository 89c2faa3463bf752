namespace EmailRelay.Spool;

/// <summary>
/// Optional capability of a spool with per-user sub-spools, for POP's <c>--pop-by-name</c> (reference §f): a user's
/// messages are in a spool of their own whose content, where it has none, is the main spool's (shared by every user
/// it was copied to, and deleted with the last of them).
/// </summary>
public interface IUserSpools
{
    /// <summary>The spool of <paramref name="user"/> (made if missing), or null if the name cannot be one or it cannot be made.</summary>
    IMessageSpool? ForUser(string user);
}
