using System.Text;
using EmailRelay.Auth;
using Microsoft.AspNetCore.Http;

namespace EmailRelay.Web.Auth;

/// <summary>
/// The console's gate, run before every handler. Open without signing in: <c>/healthz</c>, <c>/readyz</c>, the
/// sign-in page and its assets, <c>POST /api/v1/login</c> and the OpenAPI document. Everything else needs a session
/// cookie, or HTTP Basic credentials for reads only (GET and HEAD, for Prometheus and scripts): otherwise API paths
/// and <c>/metrics</c> get 401 and pages redirect to the sign-in page. Every state-changing request (any method but
/// GET and HEAD) must carry the session's CSRF token in <c>X-CSRF-Token</c>, else 403; Basic credentials carry
/// none, so they can never change anything. With <c>--http-no-auth</c> every request is the admin
/// <see cref="ConsoleContext.Anonymous"/> session, still with the CSRF check.
/// </summary>
internal static class RequestAuth
{
    /// <summary>The session cookie's name.</summary>
    public const string CookieName = "emailrelay-session";

    /// <summary>The CSRF header's name.</summary>
    public const string CsrfHeader = "X-CSRF-Token";

    private const string SessionKey = "emailrelay.session";

    /// <summary>The request's identity (set by the gate), or null on an open path.</summary>
    public static ConsoleSession? SessionOf(HttpContext context) => context.Items.TryGetValue(SessionKey, out var value) ? value as ConsoleSession : null;

    /// <summary>The gate middleware.</summary>
    public static async Task GateAsync(ConsoleContext console, HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        string path = request.Path.Value ?? "/";
        SecurityHeaders(context.Response);
        if (IsOpen(request.Method, path))
        {
            await next(context);
            return;
        }

        bool reading = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method);
        var session = console.Anonymous ?? console.Sessions.Find(request.Cookies[CookieName]) ?? (reading ? Basic(console, request) : null);
        if (session is null)
        {
            if (path.StartsWith("/api/", StringComparison.Ordinal) || path == "/metrics")
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"emailrelay\", charset=\"UTF-8\"";
                await Replies.ErrorAsync(context, 401, "sign-in required");
            }
            else
            {
                context.Response.Redirect("/login");
            }

            return;
        }

        if (!reading && !ConsoleSessions.CsrfMatches(session, request.Headers[CsrfHeader]))
        {
            Log.Refused(console.Logger, session.Account, request.Method, path, "no valid CSRF token");
            await Replies.ErrorAsync(context, 403, "missing or wrong CSRF token");
            return;
        }

        context.Items[SessionKey] = session;
        await next(context);
    }

    /// <summary>True (and replies 403, logged) unless the request's session has the admin role.</summary>
    public static async Task<bool> RefuseUnlessAdminAsync(ConsoleContext console, HttpContext context)
    {
        var session = SessionOf(context);
        if (session is { Role: ConsoleRole.Admin })
        {
            return false;
        }

        Log.Refused(console.Logger, session?.Account ?? "-", context.Request.Method, context.Request.Path.Value ?? "", "needs the admin role");
        await Replies.ErrorAsync(context, 403, "this needs the admin role");
        return true;
    }

    private static bool IsOpen(string method, string path) =>
        path is "/healthz" or "/readyz" or "/login" or "/api/v1/openapi.json" or "/favicon.ico"
        || path.StartsWith("/assets/", StringComparison.Ordinal)
        || (path == "/api/v1/login" && HttpMethods.IsPost(method));

    private static ConsoleSession? Basic(ConsoleContext console, HttpRequest request)
    {
        string? header = request.Headers.Authorization;
        if (console.Accounts is null || header is null || !header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
        }
        catch (FormatException)
        {
            return null;
        }

        int colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return null;
        }

        string account = decoded[..colon];
        var role = console.Accounts.Check(account, decoded[(colon + 1)..]);
        if (role is null)
        {
            Log.SignInFailed(console.Logger, account, request.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "-");
            return null;
        }

        return new ConsoleSession(account, role.Value, "");
    }

    private static void SecurityHeaders(HttpResponse response)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
    }
}
