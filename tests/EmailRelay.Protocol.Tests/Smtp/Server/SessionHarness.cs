using System.Text;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Smtp;
using EmailRelay.Protocol.Smtp.Server;
using Microsoft.Extensions.Time.Testing;

namespace EmailRelay.Protocol.Tests.Smtp.Server;

/// <summary>Drives a session synchronously, answering operations with configurable fakes.</summary>
internal sealed class SessionHarness
{
    public SessionHarness(SmtpServerPolicy? policy = null)
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 2, 22, 19, TimeSpan.Zero));
        Time.SetLocalTimeZone(TimeZoneInfo.Utc);
        Session = new SmtpServerSession(policy ?? SmtpServerPolicy.Default with { Domain = "vm" }, Time, new PeerInfo("127.0.0.1", "127.0.0.1:40630"));
        Steps.Add(Session.Start());
    }

    public FakeTimeProvider Time { get; }

    public SmtpServerSession Session { get; }

    public List<SessionStep> Steps { get; } = [];

    public Func<string, VerifierResult> Verifier { get; set; } = VerifierResult.AcceptRemote;

    public OperationResult BeginResult { get; set; } = OperationResult.Success;

    public OperationResult CommitResult { get; set; } = OperationResult.Success;

    public Envelope? Committed { get; private set; }

    public List<SessionOperation> Operations { get; } = [];

    /// <summary>Sends one line; runs operations; returns every reply produced.</summary>
    public List<SmtpReply> Send(string line)
    {
        SmtpCommandParser.TryParse(Encoding.UTF8.GetBytes(line), PolicyOf(), out var command, out _);
        return Run(Session.Handle(command));
    }

    /// <summary>Ends DATA or a chunk.</summary>
    public List<SmtpReply> EndData(DataOutcome outcome = DataOutcome.Complete) => Run(Session.DataCompleted(outcome));

    public SmtpReply Last(string line) => Send(line)[^1];

    public List<SmtpReply> Run(SessionStep step)
    {
        var replies = new List<SmtpReply>();
        while (true)
        {
            Steps.Add(step);
            replies.AddRange(step.Replies);
            if (step.Operation is null or SessionOperation.Close or SessionOperation.StartTls)
            {
                if (step.Operation is not null)
                {
                    Operations.Add(step.Operation);
                }

                return replies;
            }

            Operations.Add(step.Operation);
            step = step.Operation switch
            {
                SessionOperation.VerifyRecipient v => Session.Complete(OperationResult.Verified(Verifier(v.Address))),
                SessionOperation.BeginMessage => Session.Complete(BeginResult),
                SessionOperation.CommitMessage c => Commit(c.Envelope),
                _ => throw new InvalidOperationException(),
            };
        }
    }

    private SessionStep Commit(Envelope envelope)
    {
        Committed = envelope;
        return Session.Complete(CommitResult);
    }

    private SmtpServerPolicy PolicyOf() => (SmtpServerPolicy)typeof(SmtpServerSession)
        .GetField("_policy", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(Session)!;
}
