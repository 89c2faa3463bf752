namespace EmailRelay.Smtp.Client;

/// <summary>What one forwarding run did.</summary>
/// <param name="Candidates">Ready messages found in the spool when the run started.</param>
/// <param name="Sent">Messages delivered to every recipient.</param>
/// <param name="ConnectError">The connect failure that aborted the run (<c>cannot connect to ...</c>), or null.</param>
internal sealed record ForwardRunResult(int Candidates, int Sent, string? ConnectError);
