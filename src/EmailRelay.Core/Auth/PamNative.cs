using System.Runtime.InteropServices;

namespace EmailRelay.Auth;

/// <summary>libpam entry points (Linux-PAM).</summary>
internal static unsafe partial class PamNative
{
    /// <summary>PAM_SUCCESS.</summary>
    public const int Success = 0;

    /// <summary>PAM_CONV_ERR.</summary>
    public const int ConvError = 19;

    /// <summary>PAM_BUF_ERR.</summary>
    public const int BufferError = 5;

    /// <summary>PAM_PROMPT_ECHO_OFF.</summary>
    public const int PromptEchoOff = 1;

    /// <summary>PAM_PROMPT_ECHO_ON.</summary>
    public const int PromptEchoOn = 2;

    /// <summary>pam_start.</summary>
    [LibraryImport("libpam.so.0", EntryPoint = "pam_start", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Start(string service, string user, PamConv* conversation, IntPtr* handle);

    /// <summary>pam_authenticate.</summary>
    [LibraryImport("libpam.so.0", EntryPoint = "pam_authenticate")]
    public static partial int Authenticate(IntPtr handle, int flags);

    /// <summary>pam_acct_mgmt.</summary>
    [LibraryImport("libpam.so.0", EntryPoint = "pam_acct_mgmt")]
    public static partial int AccountManagement(IntPtr handle, int flags);

    /// <summary>pam_end.</summary>
    [LibraryImport("libpam.so.0", EntryPoint = "pam_end")]
    public static partial int End(IntPtr handle, int status);

    /// <summary>pam_strerror.</summary>
    [LibraryImport("libpam.so.0", EntryPoint = "pam_strerror")]
    public static partial IntPtr StrError(IntPtr handle, int status);

    /// <summary>struct pam_conv.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PamConv
    {
        /// <summary>The conversation function.</summary>
        public delegate* unmanaged<int, PamMessage**, PamResponse**, IntPtr, int> Conv;

        /// <summary>appdata_ptr.</summary>
        public IntPtr AppData;
    }

    /// <summary>struct pam_message.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PamMessage
    {
        /// <summary>msg_style.</summary>
        public int Style;

        /// <summary>msg.</summary>
        public IntPtr Message;
    }

    /// <summary>struct pam_response.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PamResponse
    {
        /// <summary>resp (malloc'ed; PAM frees it).</summary>
        public IntPtr Response;

        /// <summary>resp_retcode.</summary>
        public int ReturnCode;
    }
}
