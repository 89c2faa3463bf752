using EmailRelay.Protocol.Mail;

namespace EmailRelay.Protocol.Smtp.Client;

/// <summary>What the client session needs to know about one message: its envelope facts, not its content.</summary>
/// <param name="From">The envelope sender; empty for <c>&lt;&gt;</c>.</param>
/// <param name="Recipients">The To-Remote recipients (To-Local ones are never sent).</param>
/// <param name="Body">The envelope's body type.</param>
/// <param name="Utf8MailboxNames">Whether the envelope has UTF-8 mailbox names.</param>
/// <param name="MailFromAuthOut">The envelope's MailFromAuthOut (xtext, empty for the default); used only when the session authenticated.</param>
/// <param name="AccountSelector">The envelope's ClientAccountSelector: which <c>client</c> secrets the connection uses.</param>
internal sealed record OutgoingMessage(string From, IReadOnlyList<string> Recipients, BodyType Body, bool Utf8MailboxNames, string MailFromAuthOut = "", string AccountSelector = "")
{
    /// <summary>Builds the message facts from a stored envelope.</summary>
    /// <param name="envelope">The envelope.</param>
    /// <returns>The facts.</returns>
    public static OutgoingMessage FromEnvelope(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return new OutgoingMessage(envelope.From, envelope.ToRemote, envelope.Body, envelope.Utf8MailboxNames, envelope.MailFromAuthOut, envelope.ClientAccountSelector);
    }
}
