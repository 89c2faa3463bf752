using System.Text.Json;
using EmailRelay.Auth;
using EmailRelay.Protocol.Mail;
using EmailRelay.Smtp.Client;
using EmailRelay.Spool;
using EmailRelay.Web.Auth;
using EmailRelay.Web.Live;
using EmailRelay.Web.Queue;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EmailRelay.Web.Api;

/// <summary>
/// The JSON API under <c>/api/v1</c> (described by <c>/api/v1/openapi.json</c>): sign-in, stats, the queue with
/// server-side paging and filters, one message, and the actions (retry, delete, retry every failed message, forward
/// now), each through the spool verbs and logged with the account that asked. Actions need the admin role.
/// </summary>
internal static class ApiEndpoints
{
    /// <summary>Maps the routes.</summary>
    public static void Map(WebApplication app, ConsoleContext console)
    {
        app.MapPost("/api/v1/login", (RequestDelegate)(context => LoginAsync(console, context)));
        app.MapPost("/api/v1/logout", (RequestDelegate)(context => LogoutAsync(console, context)));
        app.MapGet("/api/v1/session", (RequestDelegate)(context => SessionAsync(context)));
        app.MapGet("/api/v1/stats", (RequestDelegate)(context => Replies.JsonAsync(context, Stats(console), ApiJsonContext.Default.StatsReply)));
        app.MapGet("/api/v1/messages", (RequestDelegate)(context => ListAsync(console, context)));
        app.MapGet("/api/v1/messages/{id}", (RequestDelegate)(context => DetailAsync(console, context)));
        app.MapDelete("/api/v1/messages/{id}", (RequestDelegate)(context => DeleteAsync(console, context)));
        app.MapPost("/api/v1/messages/{id}/retry", (RequestDelegate)(context => RetryAsync(console, context)));
        app.MapPost("/api/v1/actions/retry-failed", (RequestDelegate)(context => RetryFailedAsync(console, context)));
        app.MapPost("/api/v1/actions/forward", (RequestDelegate)(context => ForwardAsync(console, context)));
        app.MapGet("/api/v1/events", (RequestDelegate)(context => LiveStream.RunAsync(console, context)));
    }

    /// <summary>The overview's numbers now.</summary>
    public static StatsReply Stats(ConsoleContext console)
    {
        var counts = console.Index.Counts();
        var activity = console.Activity.Snapshot();
        var now = console.Time.GetUtcNow();
        DateTimeOffset? nextPoll = null;
        if (console.Runtime.Forwarder?.Options.Poll is { } poll && poll > TimeSpan.Zero)
        {
            var next = (activity.LastRunStart ?? console.Started) + poll;
            while (next < now)
            {
                next += poll;
            }

            nextPoll = next;
        }

        string forwarding = console.Runtime.Forwarder is null ? "not configured" : activity.Forwarding ? "running" : "idle";
        UpstreamInfo? upstream = activity.UpstreamTime is { } time ? new UpstreamInfo(time, activity.UpstreamAddress, activity.UpstreamOk, activity.UpstreamError) : null;
        return new StatsReply(counts.Queued, counts.Deferred, counts.InFlight, counts.Failed, counts.Queued + counts.Deferred + counts.InFlight + counts.Failed,
            counts.Oldest is { } oldest ? Math.Max(0, Math.Round((now - oldest).TotalSeconds)) : null,
            activity.Received, activity.Forwarded, activity.Failed, activity.SmtpSessions, activity.PopSessions,
            forwarding, nextPoll, activity.LastRunEnd, activity.LastRunError, !console.Index.IsReady, upstream);
    }

    /// <summary>The message id of the route, or null (and a 400 reply) when it cannot be one.</summary>
    private static async Task<string?> IdAsync(HttpContext context)
    {
        string? id = context.Request.RouteValues["id"] as string;
        if (!SpoolInspector.IsValidId(id))
        {
            await Replies.ErrorAsync(context, 400, "invalid message id");
            return null;
        }

        return id;
    }

    private static async Task LoginAsync(ConsoleContext console, HttpContext context)
    {
        var request = context.Request;
        string remote = context.Connection.RemoteIpAddress?.ToString() ?? "-";
        // A cross-site form cannot send application/json, and a browser's cross-site fetch says where it comes from.
        if (request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            || (request.Headers.Origin is { Count: > 0 } origin && !string.Equals(origin.ToString(), request.Scheme + "://" + request.Host, StringComparison.OrdinalIgnoreCase)))
        {
            string path = request.Path.Value ?? "";
            Log.Refused(console.Logger, "-", request.Method, path, "sign-in not from the console's own page");
            await Replies.ErrorAsync(context, 403, "sign-in must come from the console's page");
            return;
        }

        LoginRequest? login;
        try
        {
            login = await JsonSerializer.DeserializeAsync(request.Body, ApiJsonContext.Default.LoginRequest, context.RequestAborted);
        }
        catch (JsonException)
        {
            login = null;
        }

        if (login?.User is not { Length: > 0 and <= 256 } user || login.Password is not { Length: <= 1024 } password)
        {
            await Replies.ErrorAsync(context, 400, "user and password are required");
            return;
        }

        if (console.Accounts?.Check(user, password) is not { } role)
        {
            Log.SignInFailed(console.Logger, user, remote);
            await Replies.ErrorAsync(context, 401, "wrong user name or password");
            return;
        }

        var (token, session) = console.Sessions.Create(user, role);
        context.Response.Cookies.Append(RequestAuth.CookieName, token, new CookieOptions
        {
            HttpOnly = true,
            Secure = console.Secure,
            SameSite = SameSiteMode.Strict,
            Path = "/",
            IsEssential = true,
        });
        string roleName = RoleName(role);
        Log.SignedIn(console.Logger, user, remote, roleName);
        await Replies.JsonAsync(context, new SessionInfo(user, roleName, session.Csrf), ApiJsonContext.Default.SessionInfo);
    }

    private static async Task LogoutAsync(ConsoleContext console, HttpContext context)
    {
        var session = RequestAuth.SessionOf(context);
        console.Sessions.Remove(context.Request.Cookies[RequestAuth.CookieName]);
        context.Response.Cookies.Delete(RequestAuth.CookieName, new CookieOptions { Path = "/", Secure = console.Secure, HttpOnly = true, SameSite = SameSiteMode.Strict });
        Log.SignedOut(console.Logger, session?.Account ?? "-");
        await Replies.JsonAsync(context, new ActionReply("signed out"), ApiJsonContext.Default.ActionReply);
    }

    private static Task SessionAsync(HttpContext context)
    {
        var session = RequestAuth.SessionOf(context)!;
        return Replies.JsonAsync(context, new SessionInfo(session.Account, RoleName(session.Role), session.Csrf), ApiJsonContext.Default.SessionInfo);
    }

    private static async Task ListAsync(ConsoleContext console, HttpContext context)
    {
        var query = QueueQuery.Parse(name => context.Request.Query[name].ToString(), out string error);
        if (query is null)
        {
            await Replies.ErrorAsync(context, 400, error);
            return;
        }

        var (total, page) = console.Index.Query(query);
        var now = console.Time.GetUtcNow();
        var items = page.Select(e => new MessageSummary(e.Id, e.StateName, e.From, e.To, e.Size, e.Received, Math.Max(0, Math.Round((now - e.Received).TotalSeconds)), e.Failures, e.Reason)).ToArray();
        await Replies.JsonAsync(context, new MessageList(total, query.Page, query.PageSize, items), ApiJsonContext.Default.MessageList);
    }

    private static async Task DetailAsync(ConsoleContext console, HttpContext context)
    {
        if (await IdAsync(context) is not { } id)
        {
            return;
        }

        if (console.Inspector.Read(new MessageId(id)) is not { } entry)
        {
            await Replies.ErrorAsync(context, 404, "no such message");
            return;
        }

        var headers = new List<(string Name, string Value)>();
        string body = "";
        bool truncated = false;
        await using (var content = console.Inspector.OpenContent(entry.Id))
        {
            if (content is not null)
            {
                (headers, body, truncated) = await MessageDetails.ReadAsync(content, context.RequestAborted);
            }
        }

        bool admin = RequestAuth.SessionOf(context) is { Role: ConsoleRole.Admin };
        var envelope = entry.Envelope;
        var options = console.Runtime.Forwarder?.Options;
        var retryBase = options?.RetryBase ?? TimeSpan.FromSeconds(60);
        int failures = RetrySchedule.Failures(envelope);
        DateTimeOffset? next = entry.State == SpoolEntryState.Ready && failures > 0 ? entry.LastWritten + RetrySchedule.Delay(failures, retryBase) : null;
        var indexEntryState = new IndexEntry(id, entry.State, envelope.From, [], entry.ContentSize, SpoolIndex.ReceivedTime(id, entry.LastWritten), failures, "", entry.LastWritten).StateName;
        var detail = new MessageDetail(id, indexEntryState, envelope.From, [.. envelope.ToRemote], [.. envelope.ToLocal], BodyTypeName(envelope.Body),
            envelope.Authentication, envelope.ClientAddress, envelope.ClientCertificate, envelope.MailFromAuthIn, envelope.MailFromAuthOut,
            envelope.ForwardTo, envelope.ForwardToAddress, envelope.ClientAccountSelector, envelope.Utf8MailboxNames, entry.ContentSize,
            SpoolIndex.ReceivedTime(id, entry.LastWritten), entry.LastWritten,
            [.. MessageDetails.Reasons(envelope).Select(r => new ReasonInfo(r.Reason, r.Code))],
            new RetryInfo(failures, options?.RetryLimit ?? 5, retryBase.TotalSeconds, next),
            [.. headers.Select(h => new HeaderField(h.Name, h.Value))],
            admin ? body : null, admin && truncated);
        await Replies.JsonAsync(context, detail, ApiJsonContext.Default.MessageDetail);
    }

    private static async Task RetryAsync(ConsoleContext console, HttpContext context)
    {
        if (await RequestAuth.RefuseUnlessAdminAsync(console, context) || await IdAsync(context) is not { } id)
        {
            return;
        }

        var account = RequestAuth.SessionOf(context)!.Account;
        bool retried = await console.Inspector.RetryAsync(new MessageId(id), context.RequestAborted);
        console.Index.Refresh(id);
        if (!retried)
        {
            Log.Action(console.Logger, account, "retry ", id, "not a failed message");
            await Replies.ErrorAsync(context, 409, "not a failed message");
            return;
        }

        console.Runtime.Control.RequestForward("web");
        Log.Action(console.Logger, account, "retry ", id, "back in the queue");
        await Replies.JsonAsync(context, new ActionReply("retried"), ApiJsonContext.Default.ActionReply);
    }

    private static async Task DeleteAsync(ConsoleContext console, HttpContext context)
    {
        if (await RequestAuth.RefuseUnlessAdminAsync(console, context) || await IdAsync(context) is not { } id)
        {
            return;
        }

        var account = RequestAuth.SessionOf(context)!.Account;
        SpoolDeleteOutcome outcome;
        try
        {
            outcome = await console.Inspector.DeleteAsync(new MessageId(id), context.RequestAborted);
        }
        catch (SpoolException exception)
        {
            Log.Action(console.Logger, account, "delete ", id, exception.Message);
            await Replies.ErrorAsync(context, 500, exception.Message);
            return;
        }

        console.Index.Refresh(id);
        string result = outcome.ToString().ToLowerInvariant();
        Log.Action(console.Logger, account, "delete ", id, result);
        switch (outcome)
        {
            case SpoolDeleteOutcome.Deleted:
                await Replies.JsonAsync(context, new ActionReply("deleted"), ApiJsonContext.Default.ActionReply);
                break;
            case SpoolDeleteOutcome.Busy:
                await Replies.ErrorAsync(context, 409, "the message is being forwarded or read by a POP client");
                break;
            default:
                await Replies.ErrorAsync(context, 404, "no such message");
                break;
        }
    }

    private static async Task RetryFailedAsync(ConsoleContext console, HttpContext context)
    {
        if (await RequestAuth.RefuseUnlessAdminAsync(console, context))
        {
            return;
        }

        int count = await console.Runtime.Control.UnfailAllAsync(context.RequestAborted);
        console.Index.RequestRescan();
        if (count > 0)
        {
            console.Runtime.Control.RequestForward("web");
        }

        string account = RequestAuth.SessionOf(context)!.Account;
        string result = count.ToString(System.Globalization.CultureInfo.InvariantCulture) + " back in the queue";
        Log.Action(console.Logger, account, "retry every failed message", "", result);
        await Replies.JsonAsync(context, new ActionReply("retried", count), ApiJsonContext.Default.ActionReply);
    }

    private static async Task ForwardAsync(ConsoleContext console, HttpContext context)
    {
        if (await RequestAuth.RefuseUnlessAdminAsync(console, context))
        {
            return;
        }

        var account = RequestAuth.SessionOf(context)!.Account;
        if (console.Runtime.Control.ForwardingUnavailable is { } unavailable)
        {
            Log.Action(console.Logger, account, "forward", "", unavailable);
            await Replies.ErrorAsync(context, 409, unavailable);
            return;
        }

        console.Runtime.Control.RequestForward("web");
        Log.Action(console.Logger, account, "forward", "", "requested");
        await Replies.JsonAsync(context, new ActionReply("forwarding requested"), ApiJsonContext.Default.ActionReply);
    }

    private static string BodyTypeName(BodyType body) => body switch
    {
        BodyType.SevenBit => "7bit",
        BodyType.EightBitMime => "8bitmime",
        BodyType.BinaryMime => "binarymime",
        _ => "unknown",
    };

    private static string RoleName(ConsoleRole role) => role == ConsoleRole.Admin ? "admin" : "readonly";
}
