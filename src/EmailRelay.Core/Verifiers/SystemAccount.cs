namespace EmailRelay.Verifiers;

/// <summary>One system account, as the <c>account:</c> verifier needs it.</summary>
/// <param name="Name">The login name.</param>
/// <param name="Uid">The user id.</param>
/// <param name="FullName">The first GECOS field; the login name if that is empty.</param>
internal sealed record SystemAccount(string Name, long Uid, string FullName)
{
    /// <summary>
    /// Finds <paramref name="name"/> in passwd(5) text (<c>name:pw:uid:gid:gecos:dir:shell</c> lines; comments,
    /// blank and malformed lines, and NIS <c>+</c>/<c>-</c> entries are skipped). The match is exact.
    /// </summary>
    public static SystemAccount? Find(string passwd, string name)
    {
        ArgumentNullException.ThrowIfNull(passwd);
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name.Contains(':', StringComparison.Ordinal) || name.Contains('\n', StringComparison.Ordinal))
        {
            return null;
        }

        foreach (var line in passwd.Split('\n'))
        {
            var fields = line.TrimEnd('\r').Split(':');
            if (fields.Length < 7 || !string.Equals(fields[0], name, StringComparison.Ordinal)
                || !long.TryParse(fields[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var uid))
            {
                continue;
            }

            var comma = fields[4].IndexOf(',', StringComparison.Ordinal);
            var fullName = (comma < 0 ? fields[4] : fields[4][..comma]).Trim();
            return new SystemAccount(fields[0], uid, fullName.Length == 0 ? fields[0] : fullName);
        }

        return null;
    }
}
