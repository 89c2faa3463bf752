using System.Collections.Frozen;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace EmailRelay.Web;

/// <summary>
/// The dashboard pages and their assets, embedded in the assembly (no front-end build step): static HTML that loads
/// <c>/assets/app.js</c>, which fills the page from the JSON API with <c>textContent</c> only, so message text is
/// never markup; the Content-Security-Policy allows scripts from the console itself only.
/// </summary>
internal static class PageEndpoints
{
    private static readonly FrozenDictionary<string, (byte[] Bytes, string Type)> s_assets = Load();

    /// <summary>Maps the routes.</summary>
    public static void Map(WebApplication app)
    {
        foreach (var (path, asset) in new[] { ("/", "overview.html"), ("/queue", "queue.html"), ("/message", "message.html"), ("/login", "login.html") })
        {
            app.MapGet(path, (RequestDelegate)(context => WriteAsync(context, asset)));
        }

        app.MapGet("/assets/{name}", (RequestDelegate)(context => WriteAsync(context, context.Request.RouteValues["name"] as string ?? "")));
        app.MapGet("/api/v1/openapi.json", (RequestDelegate)(context => WriteAsync(context, "openapi.json")));
    }

    private static Task WriteAsync(HttpContext context, string name)
    {
        if (!s_assets.TryGetValue(name, out var asset))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        context.Response.ContentType = asset.Type;
        context.Response.ContentLength = asset.Bytes.Length;
        return context.Response.Body.WriteAsync(asset.Bytes, context.RequestAborted).AsTask();
    }

    private static FrozenDictionary<string, (byte[], string)> Load()
    {
        var assembly = typeof(PageEndpoints).Assembly;
        var result = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("assets/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            string name = resource["assets/".Length..];
            string type = Path.GetExtension(name) switch
            {
                ".html" => "text/html; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                ".json" => "application/json; charset=utf-8",
                ".svg" => "image/svg+xml",
                _ => "application/octet-stream",
            };
            result[name] = (memory.ToArray(), type);
        }

        return result.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
