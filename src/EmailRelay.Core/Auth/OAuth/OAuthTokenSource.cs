using System.Globalization;
using System.Text;
using System.Text.Json;
using EmailRelay.Processes;
using EmailRelay.Protocol.Sasl;

namespace EmailRelay.Auth.OAuth;

/// <summary>
/// Gets one access token for a grant: a POST to the token endpoint (RFC 6749 §6 refresh-token, §4.4
/// client-credentials, form-encoded, the client authenticated in the body as Google and Microsoft accept), or a run
/// of the token command (<c>/bin/sh -c</c>, as msmtp's <c>passwordeval</c>; its first output line is the token, an
/// optional second line the lifetime in seconds). Failures are <see cref="OAuthTokenException"/>s whose text names the
/// endpoint or command and the error, never a secret. No request, response or output is logged.
/// </summary>
internal sealed class OAuthTokenSource(HttpClient http, TimeProvider time, TimeSpan commandTimeout)
{
    /// <summary>The lifetime assumed when the endpoint or command gives none (Google's and Microsoft's usual hour).</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(1);

    /// <summary>The most of a response or of a command's output that is read.</summary>
    public const int MaxResponseBytes = 64 * 1024;

    /// <summary>Gets a token for <paramref name="grant"/>; <paramref name="refreshToken"/> overrides the configured one (a rotated token).</summary>
    /// <returns>The token, its lifetime, and the rotated refresh token if the endpoint sent one.</returns>
    /// <exception cref="OAuthTokenException">No token.</exception>
    public async Task<(string Token, TimeSpan Lifetime, string? RotatedRefreshToken)> AcquireAsync(OAuthGrant grant, string? refreshToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grant);
        if (grant.Kind == OAuthGrantKind.Command)
        {
            var (token, lifetime) = await RunCommandAsync(grant, cancellationToken);
            return (token, lifetime, null);
        }

        var form = new List<KeyValuePair<string, string>>();
        if (grant.Kind == OAuthGrantKind.RefreshToken)
        {
            form.Add(new("grant_type", "refresh_token"));
            form.Add(new("refresh_token", refreshToken ?? (grant.RefreshTokenFile.Length > 0 ? ReadFirstLine(grant.RefreshTokenFile, "refresh-token-file") : grant.RefreshToken)));
        }
        else
        {
            form.Add(new("grant_type", "client_credentials"));
        }

        form.Add(new("client_id", grant.ClientId));
        var secret = grant.ClientSecretFile.Length > 0 ? ReadFirstLine(grant.ClientSecretFile, "client-secret-file") : grant.ClientSecret;
        if (secret.Length > 0)
        {
            form.Add(new("client_secret", secret));
        }

        if (grant.Scope.Length > 0)
        {
            form.Add(new("scope", grant.Scope));
        }

        var where = "oauth token endpoint " + grant.TokenUrl;
        string body;
        int status;
        try
        {
            using var content = new FormUrlEncodedContent(form);
            using var request = new HttpRequestMessage(HttpMethod.Post, grant.TokenUrl) { Content = content };
            request.Headers.Accept.ParseAdd("application/json");
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            status = (int)response.StatusCode;
            body = await ReadBoundedAsync(response, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new OAuthTokenException(where + " unreachable: " + ex.Message, ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OAuthTokenException(where + " unreachable: timed out", ex);
        }

        OAuthTokenResponse? parsed = null;
        try
        {
            parsed = JsonSerializer.Deserialize(body, OAuthJsonContext.Default.OAuthTokenResponse);
        }
        catch (JsonException)
        {
            // Reported below with the status.
        }

        if (parsed?.Error is { Length: > 0 } error)
        {
            var description = parsed.ErrorDescription is { Length: > 0 } d ? ": " + Printable(d) : "";
            throw new OAuthTokenException(where + ": " + Printable(error) + description);
        }

        if (status is < 200 or > 299 || parsed?.AccessToken is not { Length: > 0 } accessToken)
        {
            throw new OAuthTokenException(where + ": http status " + status.ToString(CultureInfo.InvariantCulture) + (parsed is null ? ", not a json token response" : ", no access_token"));
        }

        var seconds = parsed.ExpiresIn is > 0 and < int.MaxValue ? TimeSpan.FromSeconds(parsed.ExpiresIn.Value) : DefaultLifetime;
        return (accessToken, seconds, parsed.RefreshToken is { Length: > 0 } rotated ? rotated : null);
    }

    private static async Task<string> ReadBoundedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxResponseBytes];
        var total = 0;
        int n;
        while (total < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
        {
            total += n;
        }

        return Encoding.UTF8.GetString(buffer, 0, total);
    }

    private static string ReadFirstLine(string path, string what)
    {
        try
        {
            using var reader = new StreamReader(path);
            var line = reader.ReadLine()?.Trim() ?? "";
            return line.Length > 0 ? line : throw new OAuthTokenException("oauth " + what + " is empty: " + path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OAuthTokenException("cannot read oauth " + what + ": " + path + ": " + ex.Message, ex);
        }
    }

    /// <summary>An endpoint's error text, cut to one printable line of at most 200 characters.</summary>
    private static string Printable(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, 200));
        foreach (var c in text)
        {
            if (builder.Length == 200)
            {
                break;
            }

            builder.Append(c is >= ' ' and <= '~' ? c : ' ');
        }

        return builder.ToString();
    }

    private async Task<(string Token, TimeSpan Lifetime)> RunCommandAsync(OAuthGrant grant, CancellationToken cancellationToken)
    {
        var (shell, arguments) = OperatingSystem.IsWindows() ? ("cmd.exe", new[] { "/d", "/c", grant.Command }) : ("/bin/sh", new[] { "-c", grant.Command });
        var result = await ProcessRunner.RunAsync(shell, arguments, commandTimeout, time, cancellationToken, MaxResponseBytes);
        var where = "oauth token command for " + grant.User;
        switch (result.Outcome)
        {
            case ProcessOutcome.TimedOut:
                throw new OAuthTokenException(where + " timed out");
            case ProcessOutcome.ExecFailed:
                throw new OAuthTokenException(where + " could not be run: " + result.Error);
            case ProcessOutcome.Signalled:
                throw new OAuthTokenException(where + " killed by signal " + result.Signal.ToString(CultureInfo.InvariantCulture));
            case ProcessOutcome.Exited when result.ExitCode != 0:
                throw new OAuthTokenException(where + " failed: exit " + result.ExitCode.ToString(CultureInfo.InvariantCulture));
        }

        var lines = Encoding.UTF8.GetString(result.Output).Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || lines[0].Any(c => c is <= ' ' or > '~'))
        {
            throw new OAuthTokenException(where + " printed no token");
        }

        var lifetime = lines.Length > 1 && long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and < int.MaxValue
            ? TimeSpan.FromSeconds(seconds) : DefaultLifetime;
        return (lines[0], lifetime);
    }
}
