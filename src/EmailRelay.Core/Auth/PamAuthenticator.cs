using System.Runtime.InteropServices;

namespace EmailRelay.Auth;

/// <summary>
/// Checks a user name and password through PAM (<c>pam_authenticate</c> then <c>pam_acct_mgmt</c>) with
/// a conversation that answers every prompt with the password. Blocking; PAM modules may delay failures.
/// </summary>
internal sealed unsafe class PamAuthenticator
{
    /// <summary>Creates an authenticator for a PAM service (<c>emailrelay</c> in production).</summary>
    public PamAuthenticator(string service)
    {
        Service = service;
    }

    /// <summary>The PAM service name: the file in <c>/etc/pam.d</c>.</summary>
    public string Service { get; }

    /// <summary>The last PAM error text, for a log line (never contains the password).</summary>
    public string? LastError { get; private set; }

    /// <summary>True if PAM accepts the user and password.</summary>
    public bool Check(string user, ReadOnlySpan<byte> password)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Length == 0 || user.Contains('\0', StringComparison.Ordinal) || password.Contains((byte)0))
        {
            return false;
        }

        var box = new PasswordBox(password.ToArray());
        GCHandle handle = GCHandle.Alloc(box);
        try
        {
            var conv = new PamNative.PamConv { Conv = &Conversation, AppData = GCHandle.ToIntPtr(handle) };
            IntPtr pamh = IntPtr.Zero;
            int rc = PamNative.Start(Service, user, &conv, &pamh);
            if (rc != PamNative.Success)
            {
                LastError = "pam_start failed";
                return false;
            }

            rc = PamNative.Authenticate(pamh, 0);
            if (rc == PamNative.Success)
            {
                rc = PamNative.AccountManagement(pamh, 0);
            }

            LastError = rc == PamNative.Success ? null : Marshal.PtrToStringUTF8(PamNative.StrError(pamh, rc));
            _ = PamNative.End(pamh, rc);
            return rc == PamNative.Success;
        }
        catch (DllNotFoundException)
        {
            LastError = "libpam not available";
            return false;
        }
        finally
        {
            handle.Free();
            Array.Clear(box.Password);
        }
    }

    [UnmanagedCallersOnly]
    private static int Conversation(int count, PamNative.PamMessage** messages, PamNative.PamResponse** responses, IntPtr appData)
    {
        if (count <= 0 || count > 32)
        {
            return PamNative.ConvError;
        }

        var box = (PasswordBox)GCHandle.FromIntPtr(appData).Target!;
        var replies = (PamNative.PamResponse*)NativeMemory.AllocZeroed((nuint)count, (nuint)sizeof(PamNative.PamResponse));
        for (int i = 0; i < count; i++)
        {
            int style = messages[i]->Style;
            if (style is PamNative.PromptEchoOff or PamNative.PromptEchoOn)
            {
                byte* text = (byte*)NativeMemory.Alloc((nuint)box.Password.Length + 1);
                box.Password.AsSpan().CopyTo(new Span<byte>(text, box.Password.Length));
                text[box.Password.Length] = 0;
                replies[i].Response = (IntPtr)text;
            }
        }

        *responses = replies;
        return PamNative.Success;
    }

    private sealed class PasswordBox(byte[] password)
    {
        public byte[] Password { get; } = password;
    }
}
