using System.Text.Json.Serialization;

namespace EmailRelay.Web.Api;

/// <summary><c>POST /api/v1/login</c>'s body.</summary>
internal sealed record LoginRequest(string? User, string? Password);

/// <summary>The signed-in account, its role (<c>admin</c> or <c>readonly</c>) and the CSRF token for state-changing requests.</summary>
internal sealed record SessionInfo(string Account, string Role, string Csrf);

/// <summary>An error reply's body.</summary>
internal sealed record ErrorBody(string Error);

/// <summary>What an action did: <c>retried</c>, <c>deleted</c>, <c>forwarding requested</c>..., and a count where it has one.</summary>
internal sealed record ActionReply(string Result, int? Count = null);

/// <summary>The last upstream connection attempt; <c>ok</c> null while it is in progress.</summary>
internal sealed record UpstreamInfo(DateTimeOffset Time, string Address, bool? Ok, string Error);

/// <summary>The overview's numbers (<c>GET /api/v1/stats</c>). The rate arrays are the last 1, 5 and 15 minutes.</summary>
internal sealed record StatsReply(
    int Queued,
    int Deferred,
    int InFlight,
    int Failed,
    int Total,
    double? OldestAgeSeconds,
    int[] ReceivedRecent,
    int[] ForwardedRecent,
    int[] FailedRecent,
    int SmtpSessions,
    int PopSessions,
    string Forwarding,
    DateTimeOffset? NextPoll,
    DateTimeOffset? LastRunEnd,
    string LastRunError,
    bool Indexing,
    UpstreamInfo? LastUpstream);

/// <summary>One row of the queue.</summary>
internal sealed record MessageSummary(string Id, string State, string From, string[] To, long Size, DateTimeOffset Received, double AgeSeconds, int Failures, string Reason);

/// <summary>One page of the queue (<c>GET /api/v1/messages</c>).</summary>
internal sealed record MessageList(int Total, int Page, int PageSize, MessageSummary[] Items);

/// <summary>A failure reason and its reason code.</summary>
internal sealed record ReasonInfo(string Reason, string Code);

/// <summary>A header field (value decoded from RFC 2047, as text).</summary>
internal sealed record HeaderField(string Name, string Value);

/// <summary>When the forwarder tries again: attempts so far, the limit, and the next due time (null: due now, or failed).</summary>
internal sealed record RetryInfo(int Failures, int Limit, double BaseSeconds, DateTimeOffset? NextAttempt);

/// <summary>One message (<c>GET /api/v1/messages/{id}</c>): every envelope field, reasons, retry schedule, headers, and for the admin role the body's first 64 KiB.</summary>
internal sealed record MessageDetail(
    string Id,
    string State,
    string From,
    string[] ToRemote,
    string[] ToLocal,
    string BodyType,
    string Authentication,
    string ClientAddress,
    string ClientCertificate,
    string MailFromAuthIn,
    string MailFromAuthOut,
    string ForwardTo,
    string ForwardToAddress,
    string ClientAccountSelector,
    bool Utf8MailboxNames,
    long Size,
    DateTimeOffset Received,
    DateTimeOffset LastAttempt,
    ReasonInfo[] Reasons,
    RetryInfo Retry,
    HeaderField[] Headers,
    string? Body,
    bool BodyTruncated);

/// <summary><c>GET /readyz</c>'s body.</summary>
internal sealed record ReadyReply(bool Ready, bool Listening, bool SpoolWritable, UpstreamInfo? LastUpstream);

/// <summary>A live queue change (SSE event <c>message</c>): the id, and its state now (<c>gone</c> when removed, empty for a rescan).</summary>
internal sealed record QueueChange(string Id, string State);

/// <summary>The source-generated JSON contracts of the API (no reflection: Native AOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(SessionInfo))]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(ActionReply))]
[JsonSerializable(typeof(StatsReply))]
[JsonSerializable(typeof(MessageList))]
[JsonSerializable(typeof(MessageDetail))]
[JsonSerializable(typeof(ReadyReply))]
[JsonSerializable(typeof(QueueChange))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
