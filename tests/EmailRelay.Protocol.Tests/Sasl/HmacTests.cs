using System.Security.Cryptography;
using System.Text;
using EmailRelay.Protocol.Sasl;

namespace EmailRelay.Protocol.Tests.Sasl;

public class HmacTests
{
    [Theory]
    // RFC 2104 / RFC 2202 HMAC-MD5
    [InlineData("Md5", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There", "9294727a3638bb1c13f48ef8158bfc9d")]
    [InlineData("Md5", "4a656665", "what do ya want for nothing?", "750c783e6ab0b503eaa86e310a5db738")]
    // RFC 2202 HMAC-SHA1
    [InlineData("Sha1", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There", "b617318655057264e28bc0b6fb378c8ef146be00")]
    // RFC 4231 test cases 1 and 2
    [InlineData("Sha256", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")]
    [InlineData("Sha512", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There", "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854")]
    [InlineData("Sha256", "4a656665", "what do ya want for nothing?", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")]
    public void Compute_matches_published_vectors(string kindName, string keyHex, string data, string expectedHex)
    {
        HashKind kind = Enum.Parse<HashKind>(kindName);
        byte[] mac = Hmac.Compute(kind, Convert.FromHexString(keyHex), Encoding.ASCII.GetBytes(data));
        Assert.Equal(expectedHex, Convert.ToHexStringLower(mac));
    }

    [Theory]
    [InlineData("Md5")]
    [InlineData("Sha1")]
    [InlineData("Sha256")]
    [InlineData("Sha512")]
    public void Compute_matches_the_platform_including_keys_longer_than_a_block(string kindName)
    {
        HashKind kind = Enum.Parse<HashKind>(kindName);
        var random = new Random(11);
        foreach (int keyLength in new[] { 0, 1, 20, 63, 64, 65, 127, 128, 129, 200 })
        {
            var key = new byte[keyLength];
            var data = new byte[keyLength + 17];
            random.NextBytes(key);
            random.NextBytes(data);
            Assert.Equal(Platform(kind, key, data), Hmac.Compute(kind, key, data));
        }
    }

    [Fact]
    public void The_md5_masked_state_of_password123_is_the_emailrelay_passwd_example()
    {
        byte[] state = Hmac.MaskedState(HashKind.Md5, "password123"u8);
        Assert.Equal("9N2IRYVXqu7SkOW1Xat+wpR9NbA2R6fb61XlmqW+46E=", Convert.ToBase64String(state));
    }

    [Theory]
    [InlineData("Md5", 32)]
    [InlineData("Sha1", 40)]
    [InlineData("Sha256", 64)]
    [InlineData("Sha512", 128)]
    public void Masked_state_is_inner_then_outer_digest_sized_states(string kindName, int size)
    {
        HashKind kind = Enum.Parse<HashKind>(kindName);
        Assert.Equal(size, Hmac.MaskedStateSize(kind));
        Assert.Equal(size, Hmac.MaskedState(kind, "k"u8).Length);
    }

    private static byte[] Platform(HashKind kind, byte[] key, byte[] data) => kind switch
    {
#pragma warning disable CA5351, CA5350
        HashKind.Md5 => HMACMD5.HashData(key, data),
        HashKind.Sha1 => HMACSHA1.HashData(key, data),
#pragma warning restore CA5351, CA5350
        HashKind.Sha256 => HMACSHA256.HashData(key, data),
        _ => HMACSHA512.HashData(key, data),
    };
}
