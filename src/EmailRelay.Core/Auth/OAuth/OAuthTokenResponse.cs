using System.Text.Json.Serialization;

namespace EmailRelay.Auth.OAuth;

/// <summary>A token endpoint's JSON answer (RFC 6749 §5.1 success, §5.2 error); unknown members are ignored.</summary>
internal sealed class OAuthTokenResponse
{
    /// <summary><c>access_token</c>.</summary>
    [JsonPropertyName("access_token")]
    public string? AccessToken { get; set; }

    /// <summary><c>token_type</c> (<c>Bearer</c>).</summary>
    [JsonPropertyName("token_type")]
    public string? TokenType { get; set; }

    /// <summary><c>expires_in</c>, seconds; some endpoints send it as a string.</summary>
    [JsonPropertyName("expires_in")]
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public long? ExpiresIn { get; set; }

    /// <summary><c>refresh_token</c>: a rotated refresh token, kept in memory for the next refresh.</summary>
    [JsonPropertyName("refresh_token")]
    public string? RefreshToken { get; set; }

    /// <summary><c>error</c>: <c>invalid_grant</c>, <c>invalid_client</c>, ...</summary>
    [JsonPropertyName("error")]
    public string? Error { get; set; }

    /// <summary><c>error_description</c>.</summary>
    [JsonPropertyName("error_description")]
    public string? ErrorDescription { get; set; }
}

/// <summary>The source-generated (Native AOT safe) serializer for <see cref="OAuthTokenResponse"/>.</summary>
[JsonSerializable(typeof(OAuthTokenResponse))]
[JsonSourceGenerationOptions(AllowTrailingCommas = true, ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip)]
internal sealed partial class OAuthJsonContext : JsonSerializerContext;
