using System.Text;

namespace EmailRelay.Protocol.Sasl;

/// <summary>SASL LOGIN: prompts <c>Username:</c> and <c>Password:</c> (base64).</summary>
internal sealed class LoginServerMechanism : SaslServerMechanism
{
    private static readonly byte[] s_username = "Username:"u8.ToArray();
    private static readonly byte[] s_password = "Password:"u8.ToArray();
    private readonly ISecretLookup _secrets;
    private string? _id;

    /// <summary>Creates the mechanism over a secrets store.</summary>
    public LoginServerMechanism(ISecretLookup secrets)
    {
        _secrets = secrets;
    }

    /// <inheritdoc/>
    public override string Name => "LOGIN";

    /// <inheritdoc/>
    protected override SaslServerStep OnStart(byte[]? initial)
        => initial is null || initial.Length == 0 ? SaslServerStep.ChallengeOf(s_username) : OnResponse(initial);

    /// <inheritdoc/>
    protected override SaslServerStep OnResponse(byte[] response)
    {
        if (_id is null)
        {
            if (!System.Text.Unicode.Utf8.IsValid(response))
            {
                return SaslServerStep.Malformed;
            }

            _id = Encoding.UTF8.GetString(response);
            AuthenticatedId = _id;
            return SaslServerStep.ChallengeOf(s_password);
        }

        return CheckPassword(_secrets, _id, response) ? SaslServerStep.Success : SaslServerStep.Failure;
    }
}
