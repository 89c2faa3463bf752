using System.Text.Json;

namespace EmailRelay.Testing.Tools;

/// <summary>One message an <see cref="AiosmtpdServer"/> or <see cref="ScriptedAiosmtpdServer"/> received.</summary>
/// <param name="File">The content file it was written to.</param>
/// <param name="From">MAIL FROM, without angle brackets.</param>
/// <param name="To">The RCPT TO addresses, in order.</param>
/// <param name="Content">The DATA bytes as received (dot-unstuffed, CRLF line endings).</param>
public sealed record ReceivedMessage(string File, string From, IReadOnlyList<string> To, byte[] Content)
{
    /// <summary>
    /// How many messages the recording servers have written to <paramref name="directory"/>: each message is an
    /// <c>&lt;n&gt;.eml</c> plus an <c>&lt;n&gt;.json</c> renamed into place last, so a visible <c>.json</c> means a whole message.
    /// </summary>
    public static int CountIn(string directory) => Directory.GetFiles(directory, "*.json").Length;

    /// <summary>The messages recorded in <paramref name="directory"/>, in arrival order.</summary>
    public static IReadOnlyList<ReceivedMessage> ReadAll(string directory)
    {
        var messages = new List<ReceivedMessage>();
        foreach (var json in Directory.GetFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            using var document = JsonDocument.Parse(System.IO.File.ReadAllBytes(json));
            var root = document.RootElement;
            var to = root.GetProperty("to").EnumerateArray().Select(e => e.GetString() ?? "").ToList();
            var eml = Path.ChangeExtension(json, ".eml");
            messages.Add(new ReceivedMessage(eml, root.GetProperty("from").GetString() ?? "", to, System.IO.File.ReadAllBytes(eml)));
        }

        return messages;
    }
}
