using System.Globalization;
using EmailRelay.Web.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace EmailRelay.Web;

/// <summary>
/// <c>/healthz</c> (200 while the process serves HTTP at all), <c>/readyz</c> (200 when the relay's listeners are
/// bound and the spool directory is writable, else 503; the body also reports the last upstream attempt, which does
/// not make the relay unready: it stores mail while the next hop is down) and <c>/metrics</c> (Prometheus text).
/// </summary>
internal static class HealthEndpoints
{
    private static readonly Lock s_probeLock = new();
    private static (long At, bool Writable) s_probe = (long.MinValue, false);

    /// <summary>Maps the routes.</summary>
    public static void Map(WebApplication app, ConsoleContext console)
    {
        app.MapGet("/healthz", (RequestDelegate)(context =>
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync("ok\n", context.RequestAborted);
        }));
        app.MapGet("/readyz", (RequestDelegate)(context =>
        {
            bool listening = console.Listening();
            bool writable = SpoolWritable(console);
            var activity = console.Activity.Snapshot();
            UpstreamInfo? upstream = activity.UpstreamTime is { } time ? new UpstreamInfo(time, activity.UpstreamAddress, activity.UpstreamOk, activity.UpstreamError) : null;
            bool ready = listening && writable;
            return Replies.JsonAsync(context, new ReadyReply(ready, listening, writable, upstream), ApiJsonContext.Default.ReadyReply, ready ? 200 : 503);
        }));
        app.MapGet("/metrics", (RequestDelegate)(context =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            return context.Response.WriteAsync(console.Exporter.Collect(), context.RequestAborted);
        }));
    }

    // A file created and removed in the spool directory, at most once a second.
    private static bool SpoolWritable(ConsoleContext console)
    {
        long now = console.Time.GetTimestamp();
        lock (s_probeLock)
        {
            if (s_probe.At != long.MinValue && console.Time.GetElapsedTime(s_probe.At, now) < TimeSpan.FromSeconds(1))
            {
                return s_probe.Writable;
            }
        }

        bool writable;
        var probe = Path.Combine(console.Inspector.Directory, ".emailrelay-readyz." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        try
        {
            using (File.Create(probe, 1, FileOptions.DeleteOnClose))
            {
            }

            writable = true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            writable = false;
        }

        lock (s_probeLock)
        {
            s_probe = (now, writable);
        }

        return writable;
    }
}
