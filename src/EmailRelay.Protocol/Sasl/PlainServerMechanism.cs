using System.Text;

namespace EmailRelay.Protocol.Sasl;

/// <summary>SASL PLAIN (RFC 4616): <c>authzid NUL authcid NUL passwd</c>.</summary>
internal sealed class PlainServerMechanism : SaslServerMechanism
{
    private readonly ISecretLookup _secrets;

    /// <summary>Creates the mechanism over a secrets store.</summary>
    public PlainServerMechanism(ISecretLookup secrets)
    {
        _secrets = secrets;
    }

    /// <inheritdoc/>
    public override string Name => "PLAIN";

    /// <inheritdoc/>
    protected override SaslServerStep OnStart(byte[]? initial)
        => initial is null || initial.Length == 0 ? new SaslServerStep(SaslServerStatus.Challenge, string.Empty) : OnResponse(initial);

    /// <inheritdoc/>
    protected override SaslServerStep OnResponse(byte[] response)
    {
        int first = Array.IndexOf(response, (byte)0);
        int second = first < 0 ? -1 : Array.IndexOf(response, (byte)0, first + 1);
        if (second < 0 || !System.Text.Unicode.Utf8.IsValid(response.AsSpan(first + 1, second - first - 1)))
        {
            return SaslServerStep.Malformed;
        }

        string id = Encoding.UTF8.GetString(response, first + 1, second - first - 1);
        AuthenticatedId = id;
        return CheckPassword(_secrets, id, response.AsSpan(second + 1))
            ? SaslServerStep.Success
            : SaslServerStep.Failure;
    }
}
