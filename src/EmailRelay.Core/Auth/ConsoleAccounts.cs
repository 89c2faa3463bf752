using System.Text;
using EmailRelay.Protocol.Sasl;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Auth;

/// <summary>The web console's two roles.</summary>
public enum ConsoleRole
{
    /// <summary>Sees the dashboard, the queue and the envelopes; no actions, no message bodies.</summary>
    ReadOnly,

    /// <summary>Everything, including retry, delete, forward now and the first 64 KiB of message bodies.</summary>
    Admin,
}

/// <summary>
/// The web console's accounts (<c>--http-auth</c>): the <c>server</c> lines of a secrets file (reference §d), with
/// plain or hashed passwords (<c>md5</c>, <c>sha1</c>, <c>sha256</c>, <c>sha512</c>, as <c>emailrelay-passwd</c>
/// makes them) and an optional fifth field naming the role, <c>admin</c> or <c>readonly</c> (the default). The file is
/// re-read when it changes (<see cref="SecretsFile"/>). Thread-safe.
/// </summary>
internal sealed class ConsoleAccounts
{
    private readonly SecretsFile _file;

    private ConsoleAccounts(SecretsFile file) => _file = file;

    /// <summary>Loads the file; throws <see cref="SecretsFileException"/> if it cannot be read or parsed.</summary>
    public static ConsoleAccounts Load(string path, TimeProvider time, ILogger logger) => new(SecretsFile.Load(path, time, logger));

    /// <summary>The role of <paramref name="account"/> when <paramref name="password"/> is its password, else null.</summary>
    public ConsoleRole? Check(string account, string password)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(password);
        var table = _file.Current;
        byte[] bytes = Encoding.UTF8.GetBytes(password);
        foreach (string type in table.ServerSecretTypes)
        {
            if (table.FindServerSecret(type, account) is { } secret && secret.Type != SecretTypes.OAuth && SecretTypes.PasswordMatches(secret, bytes))
            {
                return string.Equals(secret.Selector, "admin", StringComparison.OrdinalIgnoreCase) ? ConsoleRole.Admin : ConsoleRole.ReadOnly;
            }
        }

        return null;
    }
}
