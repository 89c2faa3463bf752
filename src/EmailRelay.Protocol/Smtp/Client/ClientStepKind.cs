namespace EmailRelay.Protocol.Smtp.Client;

/// <summary>What the driver must do next for a <see cref="SmtpClientSession"/>.</summary>
internal enum ClientStepKind
{
    /// <summary>Write <see cref="ClientStep.Commands"/>, then read a reply and pass it to <see cref="SmtpClientSession.OnReply"/>.</summary>
    Send,

    /// <summary>Read another reply (pipelined commands are outstanding) and pass it to <see cref="SmtpClientSession.OnReply"/>.</summary>
    Read,

    /// <summary>Write the dot-stuffed content and the final dot (in the same write as the end of the body), then read a reply.</summary>
    SendData,

    /// <summary>Write the content as <c>BDAT</c> chunks, passing each chunk's reply to <see cref="SmtpClientSession.OnChunkReply"/>.</summary>
    SendChunks,

    /// <summary>The server accepted STARTTLS: drop any bytes it sent after that reply (differences 8), run the TLS handshake, then call <see cref="SmtpClientSession.OnTlsEstablished"/>.</summary>
    StartTls,

    /// <summary>The session is idle, ready for a message or QUIT; <see cref="ClientStep.Outcome"/> holds the finished message's result, if any.</summary>
    Ready,

    /// <summary>Close the connection (after QUIT, or on a broken session: <see cref="ClientStep.Error"/> says why).</summary>
    Close,
}
