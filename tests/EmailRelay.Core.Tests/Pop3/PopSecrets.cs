using System.Net;
using System.Text;
using EmailRelay.Protocol.Sasl;

namespace EmailRelay.Core.Tests.Pop3;

/// <summary>Plain server secrets in memory (the secrets file is the auth branch's, tested there).</summary>
internal sealed class PopSecrets : ISecretLookup
{
    private readonly List<Secret> _server = [];

    public bool IsPam => false;

    public bool HasServerSecrets => _server.Count > 0;

    public IReadOnlyCollection<string> ServerSecretTypes => _server.Select(s => s.Type).Distinct().ToList();

    public bool HasClientSecrets => false;

    public PopSecrets Plain(string id, string password)
    {
        _server.Add(new Secret(SecretTypes.Plain, id, Encoding.UTF8.GetBytes(password), "test"));
        return this;
    }

    public Secret? FindServerSecret(string type, string id) => _server.FirstOrDefault(s => s.Type == type && s.Id == id);

    public bool CheckPassword(string id, ReadOnlySpan<byte> password)
    {
        foreach (var s in _server)
        {
            if (s.Id == id && SecretTypes.PasswordMatches(s, password))
            {
                return true;
            }
        }

        return false;
    }

    public TrustedPeer? FindTrusted(IPAddress address) => null;

    public IReadOnlyList<Secret>? FindClientSecrets(string selector) => null;
}
