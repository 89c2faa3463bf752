using System.Diagnostics;
using EmailRelay.Auth;
using Microsoft.Extensions.Logging.Abstractions;

namespace EmailRelay.Core.Tests.Auth;

/// <summary>
/// Real PAM: a test service file in <c>/etc/pam.d</c> (pam_unix against a test account created here, or
/// pam_permit/pam_deny), removed afterwards. Needs root; otherwise the tests report skipped.
/// </summary>
public sealed class PamAuthenticatorTests : IDisposable
{
    private const string NeedsRoot = "needs root and /etc/pam.d to install a test PAM service";
    private readonly List<string> _files = [];
    private string? _user;

    [SkippableFact]
    public void Pam_permit_and_pam_deny_stacks_are_obeyed()
    {
        Skip.IfNot(CanWritePamD(), NeedsRoot);

        string permit = Service("auth required pam_permit.so\naccount required pam_permit.so\n");
        string deny = Service("auth required pam_deny.so\naccount required pam_permit.so\n");
        Assert.True(new PamAuthenticator(permit).Check("anyone", "x"u8));
        Assert.False(new PamAuthenticator(deny).Check("anyone", "x"u8));
        Assert.False(new PamAuthenticator(permit).Check("", "x"u8));
    }

    [SkippableFact]
    public void Pam_unix_checks_a_real_account_password()
    {
        Skip.IfNot(CanWritePamD(), NeedsRoot);
        Skip.IfNot(File.Exists("/usr/sbin/useradd"), "needs /usr/sbin/useradd (Debian passwd) to create a test account");

        _user = "ertest" + Random.Shared.Next(10000, 99999);
        Run("/usr/sbin/useradd", "-M", "-N", "-s", "/usr/sbin/nologin", _user);
        RunWithInput("/usr/sbin/chpasswd", _user + ":s3cret pw\n");
        string service = Service("auth required pam_unix.so\naccount required pam_unix.so\n");
        var secrets = new PamSecrets(new PamAuthenticator(service), NullLogger.Instance);
        Assert.True(secrets.CheckPassword(_user, "s3cret pw"));
        Assert.False(secrets.CheckPassword(_user, "wrong"));
        Assert.False(secrets.CheckPassword("nosuchuser" + _user, "s3cret pw"));
        Assert.True(secrets.IsPam);
    }

    public void Dispose()
    {
        foreach (string file in _files)
        {
            File.Delete(file);
        }

        if (_user is not null)
        {
            Run("/usr/sbin/userdel", _user);
        }
    }

    private static bool CanWritePamD() => Environment.UserName == "root" && Directory.Exists("/etc/pam.d");

    private string Service(string content)
    {
        string name = "emailrelay-test-" + Guid.NewGuid().ToString("N")[..12];
        string path = Path.Combine("/etc/pam.d", name);
        _files.Add(path);
        File.WriteAllText(path, content);
        return name;
    }

    private static void Run(string program, params string[] args) => RunWithInput(program, null, args);

    private static void RunWithInput(string program, string? stdin, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardInput = stdin is not null };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }

        Assert.True(p.WaitForExit(30_000));
        Assert.Equal(0, p.ExitCode);
    }
}
