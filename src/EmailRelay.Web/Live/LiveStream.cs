using System.Text.Json;
using EmailRelay.Web.Api;
using Microsoft.AspNetCore.Http;

namespace EmailRelay.Web.Live;

/// <summary>
/// <c>GET /api/v1/events</c>: a Server-Sent Events stream. Events: <c>stats</c> (the overview's numbers, at once, then
/// after changes at most every <see cref="StatsInterval"/>, and at least every <see cref="Heartbeat"/>),
/// <c>message</c> (a queue change: id and state, <c>gone</c> once removed, an empty id after a rescan) and
/// <c>resync</c> (events were lost: reload). Ends when the client goes or the console stops.
/// </summary>
internal static class LiveStream
{
    /// <summary>The shortest time between two stats events.</summary>
    public static readonly TimeSpan StatsInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest time without a stats event.</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(5);

    /// <summary>Serves one stream.</summary>
    public static async Task RunAsync(ConsoleContext console, HttpContext context)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, console.Stopping);
        var token = stop.Token;
        using var subscriber = console.Hub.Subscribe();
        try
        {
            await response.WriteAsync("retry: 2000\n\n", token);
            await WriteStatsAsync(console, response, token);
            long lastStats = console.Time.GetTimestamp();
            bool pendingStats = false;
            while (!token.IsCancellationRequested)
            {
                var wait = pendingStats ? StatsInterval - console.Time.GetElapsedTime(lastStats) : Heartbeat;
                bool ready;
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(token))
                {
                    timeout.CancelAfter(wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
                    try
                    {
                        ready = await subscriber.Reader.WaitToReadAsync(timeout.Token);
                        if (!ready)
                        {
                            return;
                        }
                    }
                    catch (OperationCanceledException) when (!token.IsCancellationRequested)
                    {
                        ready = false;
                    }
                }

                if (subscriber.TakeLost())
                {
                    await response.WriteAsync("event: resync\ndata: {}\n\n", token);
                }

                while (subscriber.Reader.TryRead(out var item))
                {
                    await response.WriteAsync("event: " + item.Type + "\ndata: " + item.Json + "\n\n", token);
                    pendingStats = true;
                }

                if (!ready || console.Time.GetElapsedTime(lastStats) >= StatsInterval && pendingStats)
                {
                    await WriteStatsAsync(console, response, token);
                    lastStats = console.Time.GetTimestamp();
                    pendingStats = false;
                }

                await response.Body.FlushAsync(token);
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away, or the console is stopping.
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Publishes a queue change to every open stream.</summary>
    public static void PublishChange(ConsoleContext console, string id)
    {
        if (!console.Hub.HasSubscribers)
        {
            return;
        }

        string state = id.Length == 0 ? "" : console.Index.Find(id)?.StateName ?? "gone";
        console.Hub.Publish("message", JsonSerializer.Serialize(new QueueChange(id, state), ApiJsonContext.Default.QueueChange));
    }

    private static async Task WriteStatsAsync(ConsoleContext console, HttpResponse response, CancellationToken token)
    {
        string json = JsonSerializer.Serialize(ApiEndpoints.Stats(console), ApiJsonContext.Default.StatsReply);
        await response.WriteAsync("event: stats\ndata: " + json + "\n\n", token);
        await response.Body.FlushAsync(token);
    }
}
