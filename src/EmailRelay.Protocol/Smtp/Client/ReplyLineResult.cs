namespace EmailRelay.Protocol.Smtp.Client;

/// <summary>What <see cref="SmtpReplyReader.Add"/> made of a line.</summary>
internal enum ReplyLineResult
{
    /// <summary>A continuation line: the reply needs more lines.</summary>
    NeedMore,

    /// <summary>The last line of a reply.</summary>
    Complete,

    /// <summary>Not a valid reply line: the session cannot continue (<c>unexpected response</c>).</summary>
    Invalid,
}
