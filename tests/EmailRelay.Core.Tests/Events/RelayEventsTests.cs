using System.Net;
using EmailRelay.Core.Tests.Smtp.Client;
using EmailRelay.Core.Tests.Smtp.Server;
using EmailRelay.Events;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Smtp.Client;
using EmailRelay.Smtp.Client;
using EmailRelay.Protocol.Tests;
using EmailRelay.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EmailRelay.Core.Tests.Events;

/// <summary>The typed event stream: what the drivers raise, in order, and that raising costs nothing unheard.</summary>
public class RelayEventsTests
{
    private static readonly ForwardTarget s_target = new("127.0.0.1", 25, false);

    private static Envelope Envelope(string to = "b@y") => new() { From = "a@x", ToRemote = [to], Body = BodyType.SevenBit };

    private static Forwarder CreateForwarder(MemorySpool spool, RelayEvents events, Func<string, string?>? script = null)
    {
        var options = new ForwardingOptions { Client = new SmtpClientOptions { Target = s_target, Policy = SmtpClientPolicy.Default }, RetryLimit = 5 };
        return new Forwarder(spool, null, options, TimeProvider.System, NullLogger.Instance, (_, _) =>
            Task.FromResult(new SmtpClientConnection(new FakeUpstream(script).ClientStream, "127.0.0.1", options.Client, TimeProvider.System, NullLogger.Instance,
                peer: "127.0.0.1:25")))
        {
            Events = events,
        };
    }

    [Fact]
    public async Task A_forwarding_run_raises_connection_sending_and_settlement_events_in_order()
    {
        var spool = new MemorySpool();
        var first = spool.Add(Envelope(), "1\r\n"u8);
        var second = spool.Add(Envelope("reject@y"), "2\r\n"u8);
        var third = spool.Add(Envelope("later@y"), "3\r\n"u8);
        var events = new RelayEvents();
        var recorder = new RecordingObserver();
        using var subscription = events.Subscribe(recorder);
        var forwarder = CreateForwarder(spool, events, command => command switch
        {
            "RCPT TO:<reject@y>" => "550 no such user",
            "RCPT TO:<later@y>" => "450 try later",
            _ => null,
        });

        await forwarder.RunOnceAsync(CancellationToken.None);

        Assert.Equal(
            [
                "UpstreamConnecting Forwarder 127.0.0.1:25",
                "Sending " + first,
                "UpstreamConnected Forwarder 127.0.0.1:25",
                "Delivered " + first,
                "Sending " + second,
                "Failed " + second + " 550 " + SmtpClientSession.SomeRecipientsRejected,
                "Sending " + third,
                "Deferred " + third + " 450 " + SmtpClientSession.SomeRecipientsRejected,
                "ForwardingEnded 1",
                "UpstreamClosed Forwarder 127.0.0.1:25",
            ],
            recorder.Lines());
    }

    [Fact]
    public async Task An_smtp_transcript_raises_session_auth_filter_and_message_events_in_order()
    {
        var events = new RelayEvents();
        var recorder = new RecordingObserver();
        using var subscription = events.Subscribe(recorder);
        await using var harness = await SmtpServerHarness.StartAsync(byteAtATime: true, events: events);
        await harness.EhloMailRcptAsync();
        await harness.Client.SendAsync("DATA");
        await harness.Client.ExpectCodeAsync(354);
        await harness.Client.SendAsync("Subject: x\r\n\r\nhello\r\n.");
        await harness.Client.ExpectCodeAsync(250);
        await harness.Client.SendAsync("QUIT");
        await harness.Client.ExpectCodeAsync(221);
        await harness.ServerEndedAsync();
        var id = Assert.Single(harness.Committed());

        Assert.Equal(
            [
                "SessionOpened Smtp #1",
                "FilterRun Smtp " + id + " ok",
                "MessageReceived " + id + " " + harness.Spool.GetContent(id)!.Length,
                "SessionClosed Smtp #1 smtp protocol done",
            ],
            recorder.Lines());
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 40630), recorder.Events[0].Remote);
    }

    [Fact]
    public void With_no_subscriber_raising_every_kind_a_thousand_times_allocates_nothing()
    {
        var events = new RelayEvents();
        var id = new MessageId("emailrelay.1.2.3");
        var remote = new IPEndPoint(IPAddress.Loopback, 25);
        const string Text = "reason";

        void RaiseAll()
        {
            events.SessionOpened(RelayService.Smtp, 1, remote);
            events.MessageReceived(1, id, 100);
            events.FilterRun(RelayService.Smtp, id, Text, TimeSpan.Zero);
            events.Connection(RelayEventKind.AuthSucceeded, RelayService.Smtp, 1, Text);
            events.Connection(RelayEventKind.TlsEstablished, RelayService.Smtp, 1, Text);
            events.ForwardingStarted(Text);
            events.Upstream(RelayEventKind.UpstreamConnecting, Text);
            events.Message(RelayEventKind.Sending, id);
            events.Message(RelayEventKind.Delivered, id);
            events.Settled(RelayEventKind.Failed, id, 550, Text);
            events.Settled(RelayEventKind.Deferred, id, 450, Text);
            events.Upstream(RelayEventKind.UpstreamClosed, Text);
            events.ForwardingEnded(1, Text);
            events.SessionClosed(RelayService.Smtp, 1, remote, Text);
        }

        // Every raise method the drivers call, as a 1,000-message run calls them.
        Assert.Equal(0, AllocationMeter.LeastPerRound(RaiseAll, iterations: 1000));
        Assert.False(events.IsEnabled);
    }

    [Fact]
    public async Task A_forwarding_run_with_no_subscriber_raises_nothing_and_a_later_subscriber_hears_only_later_events()
    {
        var spool = new MemorySpool();
        spool.Add(Envelope(), "1\r\n"u8);
        var events = new RelayEvents();
        await CreateForwarder(spool, events).RunOnceAsync(CancellationToken.None);
        var recorder = new RecordingObserver();
        using (events.Subscribe(recorder))
        {
            spool.Add(Envelope(), "2\r\n"u8);
            await CreateForwarder(spool, events).RunOnceAsync(CancellationToken.None);
        }

        spool.Add(Envelope(), "3\r\n"u8);
        await CreateForwarder(spool, events).RunOnceAsync(CancellationToken.None);
        Assert.Equal(2, recorder.Events.Count(e => e.Kind is RelayEventKind.Sending or RelayEventKind.Delivered));
        Assert.False(events.IsEnabled);
    }
}
