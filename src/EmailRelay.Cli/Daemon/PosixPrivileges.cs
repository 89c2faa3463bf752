using System.Runtime.InteropServices;
using EmailRelay.Hosting;

namespace EmailRelay.Cli.Daemon;

/// <summary><see cref="IPrivileges"/> through libc (<c>getpwnam</c>, <c>setgroups</c>, <c>setegid</c>, <c>seteuid</c>).</summary>
internal sealed class PosixPrivileges : IPrivileges
{
    private bool _dropped;

    /// <inheritdoc />
    public bool IsRoot => OperatingSystem.IsLinux() && NativeMethods.GetEuid() == 0;

    /// <inheritdoc />
    public void DropTo(string user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!IsRoot || string.Equals(user, "root", StringComparison.Ordinal))
        {
            return;
        }

        var entry = NativeMethods.GetPwNam(user);
        if (entry == IntPtr.Zero)
        {
            throw new ConfigurationException("invalid user: [" + user + "]");
        }

        var uid = (uint)Marshal.ReadInt32(entry, NativeMethods.PasswdUidOffset);
        var gid = (uint)Marshal.ReadInt32(entry, NativeMethods.PasswdGidOffset);
        if (NativeMethods.SetGroups(0, IntPtr.Zero) != 0
            || NativeMethods.SetEgid(gid) != 0
            || NativeMethods.SetEuid(uid) != 0)
        {
            throw new ConfigurationException("cannot switch to user [" + user + "]: errno " + Marshal.GetLastPInvokeError().ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        _dropped = true;
    }

    /// <inheritdoc />
    public void UseGroupUmask()
    {
        if (IsRoot)
        {
            _ = NativeMethods.Umask(Convert.ToUInt32("007", 8));
        }
    }

    /// <inheritdoc />
    public string TargetUser(string requested)
    {
        if (!IsRoot || NativeMethods.GetUid() is var realUid && realUid == 0)
        {
            return requested;
        }

        // Set-user-id root: the real user, by name (pw_name is the first field of struct passwd).
        var entry = NativeMethods.GetPwUid(realUid);
        var name = entry == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(Marshal.ReadIntPtr(entry));
        return string.IsNullOrEmpty(name)
            ? throw new ConfigurationException("cannot find the real user: uid " + realUid.ToString(System.Globalization.CultureInfo.InvariantCulture))
            : name;
    }

    /// <inheritdoc />
    public bool CanWrite(string directory) =>
        !OperatingSystem.IsLinux() || NativeMethods.FAccessAt(NativeMethods.AtCurrentDirectory, directory, NativeMethods.WriteAndSearch, NativeMethods.AtEffectiveAccess) == 0;

    /// <inheritdoc />
    public void ShareWithGroupOf(string path, string user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!IsRoot || string.Equals(user, "root", StringComparison.Ordinal) || NativeMethods.GetPwNam(user) is var entry && entry == IntPtr.Zero)
        {
            return;
        }

        // Best effort, as E-MailRelay's pid file is root:<user's group>: a failure leaves it root's.
        _ = NativeMethods.Chown(path, uint.MaxValue, (uint)Marshal.ReadInt32(entry, NativeMethods.PasswdGidOffset));
    }

    /// <inheritdoc />
    public void Regain()
    {
        if (_dropped)
        {
            _ = NativeMethods.SetEuid(0);
            _ = NativeMethods.SetEgid(0);
            _dropped = false;
        }
    }
}
