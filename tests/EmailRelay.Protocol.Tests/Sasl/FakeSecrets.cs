using System.Net;
using System.Text;
using EmailRelay.Protocol.Sasl;

namespace EmailRelay.Protocol.Tests.Sasl;

/// <summary>An in-memory <see cref="ISecretLookup"/> for mechanism tests.</summary>
internal sealed class FakeSecrets : ISecretLookup
{
    private readonly List<Secret> _server = [];
    private readonly List<(AddressPattern Pattern, TrustedPeer Peer)> _trusted = [];

    public bool IsPam { get; init; }

    public bool HasServerSecrets => IsPam || _server.Count > 0;

    public IReadOnlyCollection<string> ServerSecretTypes => _server.Select(s => s.Type).Distinct().ToList();

    public bool HasClientSecrets => false;

    public FakeSecrets Plain(string id, string password)
    {
        _server.Add(new Secret(SecretTypes.Plain, id, Encoding.UTF8.GetBytes(password), "test"));
        return this;
    }

    public FakeSecrets Hashed(HashKind kind, string id, string password)
    {
        _server.Add(new Secret(SecretTypes.NameOf(kind), id, Hmac.MaskedState(kind, Encoding.UTF8.GetBytes(password)), "test"));
        return this;
    }

    public FakeSecrets Trust(string pattern, string keyword)
    {
        Assert.True(AddressPattern.TryParse(pattern, out AddressPattern p));
        _trusted.Add((p, new TrustedPeer(keyword, pattern, _trusted.Count + 1)));
        return this;
    }

    public Secret? FindServerSecret(string type, string id) => _server.FirstOrDefault(s => s.Type == type && s.Id == id);

    public bool CheckPassword(string id, ReadOnlySpan<byte> password)
    {
        foreach (Secret s in _server)
        {
            if (s.Id == id && SecretTypes.PasswordMatches(s, password))
            {
                return true;
            }
        }

        return false;
    }

    public TrustedPeer? FindTrusted(IPAddress address) => _trusted.FirstOrDefault(t => t.Pattern.Matches(address)).Peer;

    public IReadOnlyList<Secret>? FindClientSecrets(string selector) => selector.Length == 0 ? [] : null;
}
