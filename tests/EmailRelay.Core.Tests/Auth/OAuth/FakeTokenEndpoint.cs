using System.Net;
using System.Text;

namespace EmailRelay.Core.Tests.Auth.OAuth;

/// <summary>
/// An in-memory token endpoint for <see cref="HttpClient"/>: records each request's form, and answers with
/// <see cref="Respond"/> (by default an RFC 6749 success issuing <c>tok-1</c>, <c>tok-2</c>, ... with
/// <see cref="Lifetime"/>); <see cref="Down"/> makes it throw as an unreachable endpoint does.
/// </summary>
internal sealed class FakeTokenEndpoint : HttpMessageHandler
{
    private int _issued;

    public List<Dictionary<string, string>> Requests { get; } = [];

    public int Lifetime { get; set; } = 3600;

    public bool Down { get; set; }

    public (HttpStatusCode Status, string Body)? Respond { get; set; }

    public int Issued => Volatile.Read(ref _issued);

    public string Current => "tok-" + Issued;

    public HttpClient Client() => new(this);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = await request.Content!.ReadAsStringAsync(cancellationToken);
        var form = body.Split('&').Select(p => p.Split('=')).ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p[1].Replace('+', ' ')));
        lock (Requests)
        {
            Requests.Add(form);
        }

        if (Down)
        {
            throw new HttpRequestException("Connection refused (127.0.0.1:9)");
        }

        var (status, text) = Respond ?? (HttpStatusCode.OK, "{\"access_token\":\"tok-" + Interlocked.Increment(ref _issued) + "\",\"token_type\":\"Bearer\",\"expires_in\":" + Lifetime + "}");
        return new HttpResponseMessage(status) { Content = new StringContent(text, Encoding.UTF8, "application/json") };
    }
}
