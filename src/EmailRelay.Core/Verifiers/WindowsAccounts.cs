using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace EmailRelay.Verifiers;

/// <summary>
/// The <c>account:</c> verifier's accounts on Windows: the local user accounts of this computer, looked up with
/// <c>LookupAccountNameW</c> as <c>COMPUTER\name</c> (so never a domain or a group, alias or well-known name). The
/// account's relative id (the last part of its SID: 500 Administrator, 501 Guest, 1000 and up for the users one
/// creates) stands for the Unix uid in the range check; the full name is the account name. Names compare as Windows
/// compares them, case-insensitively; the mailbox is the name as given.
/// </summary>
internal static unsafe partial class WindowsAccounts
{
    private const int SidTypeUser = 1;
    private const int ErrorNoneMapped = 1332;
    private const int ErrorInsufficientBuffer = 122;

    // Characters Windows does not allow in an account name (and the domain separator).
    private static readonly System.Buffers.SearchValues<char> s_notInNames = System.Buffers.SearchValues.Create("\\/@\"[]:;|=,+*?<>");

    /// <summary>The local user account called <paramref name="name"/>, or null.</summary>
    public static SystemAccount? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name.AsSpan().IndexOfAny(s_notInNames) >= 0)
        {
            return null;
        }

        var computer = Environment.MachineName;
        var qualified = computer + "\\" + name;
        var sid = new byte[68];
        var domain = new char[256];
        uint sidSize = (uint)sid.Length;
        uint domainSize = (uint)domain.Length;
        int use;
        bool found;
        fixed (char* account = qualified)
        fixed (byte* sidBytes = sid)
        fixed (char* domainChars = domain)
        {
            found = LookupAccountName(null, account, sidBytes, &sidSize, domainChars, &domainSize, &use);
        }

        if (!found)
        {
            int error = Marshal.GetLastPInvokeError();
            return error is ErrorNoneMapped or ErrorInsufficientBuffer
                ? null
                : throw new IOException("cannot look up account [" + name + "]: " + Marshal.GetPInvokeErrorMessage(error));
        }

        return use == SidTypeUser && RelativeId(sid) is { } rid ? new SystemAccount(name, rid, name) : null;
    }

    /// <summary>The last sub-authority of a binary SID (revision, count, 6-byte authority, count 32-bit parts), or null.</summary>
    public static long? RelativeId(ReadOnlySpan<byte> sid)
    {
        if (sid.Length < 8 || sid[0] != 1 || sid[1] == 0 || sid.Length < 8 + (4 * sid[1]))
        {
            return null;
        }

        return BinaryPrimitives.ReadUInt32LittleEndian(sid[(8 + (4 * (sid[1] - 1)))..]);
    }

    [LibraryImport("advapi32.dll", EntryPoint = "LookupAccountNameW", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool LookupAccountName(char* system, char* account, byte* sid, uint* sidSize, char* domain, uint* domainSize, int* use);
}
