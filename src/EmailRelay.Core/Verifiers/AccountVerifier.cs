using EmailRelay.Protocol.Filters;
using EmailRelay.Protocol.Mail;

namespace EmailRelay.Verifiers;

/// <summary>
/// The <c>account:</c> address verifier (reference §c): an address matches if its domain equals <c>--domain</c>
/// (ASCII case-insensitively) and its local part is a system account (<c>/etc/passwd</c>, read per request so
/// account changes apply at once; on Windows a local user account, whose relative id stands for the uid) whose uid is
/// in the range (default 1000-32767). A match is local, with the
/// account name as the mailbox (lowercased with <c>lowercase</c>, which also lets a local part in the wrong case
/// find its lowercase account); with <c>remote</c> it is remote instead. A mismatch is <c>550 rejected</c> with the
/// reason, or with <c>check</c> accepted as remote. A bare <c>postmaster</c> is always local.
/// </summary>
internal sealed class AccountVerifier : IAddressVerifier
{
    /// <summary>The system's account database.</summary>
    public const string PasswdPath = "/etc/passwd";

    private readonly VerifierSpec _spec;
    private readonly Func<string, SystemAccount?> _find;

    /// <summary>Creates the verifier over the system's accounts (on Windows the local Windows accounts, <see cref="WindowsAccounts"/>).</summary>
    public AccountVerifier(VerifierSpec spec)
        : this(spec, OperatingSystem.IsWindows() ? WindowsAccounts.Find : name => SystemAccount.Find(File.ReadAllText(PasswdPath), name))
    {
    }

    /// <summary>Creates the verifier over the accounts <paramref name="readPasswd"/> returns (passwd(5) text).</summary>
    public AccountVerifier(VerifierSpec spec, Func<string> readPasswd)
        : this(spec, name => SystemAccount.Find(readPasswd(), name))
    {
        ArgumentNullException.ThrowIfNull(readPasswd);
    }

    /// <summary>Creates the verifier over the accounts <paramref name="find"/> looks up (it may throw <see cref="IOException"/>).</summary>
    public AccountVerifier(VerifierSpec spec, Func<string, SystemAccount?> find)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(find);
        _spec = spec;
        _find = find;
    }

    /// <inheritdoc />
    public Task<VerifierResult> VerifyAsync(VerifierRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Task.FromResult(Verify(request.Address, request.Domain));
    }

    private VerifierResult Verify(string address, string domain)
    {
        if (string.Equals(address, "postmaster", StringComparison.OrdinalIgnoreCase))
        {
            return new VerifierResult(VerifierStatus.Local, "", "postmaster", "postmaster", "", "");
        }

        var at = address.LastIndexOf('@');
        string reason;
        if (at < 0 || !string.Equals(address[(at + 1)..], domain, StringComparison.OrdinalIgnoreCase))
        {
            reason = string.Concat("not a local domain: [", at < 0 ? "" : address[(at + 1)..], "] is not [", domain, "]");
        }
        else
        {
            var local = address[..at];
            SystemAccount? account;
            try
            {
                account = _find(local);
                if (account is null && _spec.Lowercase)
                {
                    account = _find(local.ToLowerInvariant());
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return new VerifierResult(VerifierStatus.TemporaryFailure, "", "", "", "cannot verify", e.Message);
            }

            if (account is null)
            {
                reason = string.Concat("no such account: [", local, "]");
            }
            else if (account.Uid < _spec.UidMin || account.Uid > _spec.UidMax)
            {
                reason = string.Concat("account [", account.Name, "] has a uid outside ", _spec.UidMin.ToString(System.Globalization.CultureInfo.InvariantCulture), "-", _spec.UidMax.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                return _spec.Remote
                    ? VerifierResult.AcceptRemote(address)
                    : new VerifierResult(VerifierStatus.Local, "", _spec.Lowercase ? account.Name.ToLowerInvariant() : account.Name, account.FullName, "", "");
            }
        }

        return _spec.Check
            ? VerifierResult.AcceptRemote(address)
            : new VerifierResult(VerifierStatus.PermanentFailure, "", "", "", "rejected", reason);
    }
}
