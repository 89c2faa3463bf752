using System.Text;

namespace EmailRelay.IntegrationTests.Dkim;

/// <summary>The messages every signature must survive, as their content files hold them (CRLF line ends).</summary>
internal static class DkimCorpus
{
    private const string From = "From: Alice <alice@example.com>\r\n";

    /// <summary>The corpus names, for theories.</summary>
    public static TheoryData<string> Names => [.. Messages.Keys];

    /// <summary>Each message by name.</summary>
    public static IReadOnlyDictionary<string, byte[]> Messages { get; } = new Dictionary<string, byte[]>
    {
        ["plain"] = Ascii(From + "To: bob@example.org\r\nSubject: hello\r\nDate: Tue, 08 Dec 2026 01:00:00 +0000\r\nMessage-ID: <1@example.com>\r\n\r\nHello Bob.\r\n"),
        ["folded-and-repeated-headers"] = Ascii(
            "Received: from a by b; Tue, 08 Dec 2026 01:00:00 +0000\r\nReceived: from c\r\n\tby d; Tue, 08 Dec 2026 01:00:01 +0000\r\n" +
            From + "To: bob@example.org,\r\n  carol@example.org,\r\n\t dave@example.org\r\nCc: one@example.org\r\nCc:   two@example.org  \r\n" +
            "Subject:  a   subject\r\n that is\r\n\tfolded  \r\nSUBJECT: second subject\r\n\r\nbody\r\n"),
        ["8bit-headers"] = Latin1(From + "Subject: caf\u00e9 cr\u00e8me\r\nX-Note: \u00ff\u00fe\r\n\r\nLatin-1 body: \u00e9\u00e8\u00ea\r\n"),
        ["utf8-headers"] = Utf8("From: J\u00f6rg M\u00fcller <j\u00f6rg@example.com>\r\nTo: \u7530\u4e2d <tanaka@example.org>\r\nSubject: \u00dcbergr\u00f6\u00dfe \u2713 \ud83d\udce7\r\n\r\nUTF-8 body \u2713\r\n"),
        ["998-octet-lines"] = Ascii(From + "Subject: " + new string('s', 998 - 9) + "\r\n\r\n" + new string('a', 998) + "\r\n" + new string(' ', 997) + "b\r\n" + new string('c', 998) + "\r\n"),
        ["empty-body"] = Ascii(From + "Subject: empty\r\n\r\n"),
        ["trailing-blank-lines"] = Ascii(From + "Subject: blanks\r\n\r\nbody\r\n\r\n\r\n \t\r\n\r\n"),
        ["no-final-crlf"] = Ascii(From + "Subject: no final line end\r\n\r\nfirst line\r\nlast line without CRLF"),
        ["whitespace"] = Ascii(From + "Subject: ws\r\n\r\n  leading\r\ntrailing \t \r\nin   the\t\tmiddle\r\n\r\n\t\r\nend\r\n"),
        ["mime-8bit"] = Latin1(From + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\nSubject: mime\r\n\r\n--b1\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\u00e9t\u00e9\r\n--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAECAwQFBgcICQ==\r\n--b1--\r\n"),
    };

    /// <summary>Writes a message of at least <paramref name="size"/> bytes: headers, then base64-like lines.</summary>
    public static void WriteLarge(string path, long size)
    {
        using var file = File.Create(path);
        file.Write(Ascii(From + "To: bob@example.org\r\nSubject: large\r\nMIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"));
        var block = new StringBuilder();
        var random = new Random(21);
        while (block.Length < 64 * 1024)
        {
            var line = new char[76];
            for (int i = 0; i < line.Length; i++)
            {
                line[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[random.Next(64)];
            }

            block.Append(line).Append("\r\n");
        }

        var bytes = Ascii(block.ToString());
        for (long written = 0; written < size; written += bytes.Length)
        {
            file.Write(bytes);
        }
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    private static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
