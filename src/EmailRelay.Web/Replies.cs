using System.Text.Json.Serialization.Metadata;
using EmailRelay.Web.Api;
using Microsoft.AspNetCore.Http;

namespace EmailRelay.Web;

/// <summary>Writes JSON replies through the source-generated contracts of <see cref="ApiJsonContext"/>.</summary>
internal static class Replies
{
    /// <summary>Writes <paramref name="value"/> as JSON with <paramref name="status"/>.</summary>
    public static Task JsonAsync<T>(HttpContext context, T value, JsonTypeInfo<T> type, int status = 200)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(value, type, "application/json; charset=utf-8", context.RequestAborted);
    }

    /// <summary>Writes <c>{"error": message}</c> with <paramref name="status"/>.</summary>
    public static Task ErrorAsync(HttpContext context, int status, string message) =>
        JsonAsync(context, new ErrorBody(message), ApiJsonContext.Default.ErrorBody, status);
}
