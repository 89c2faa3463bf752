using System.Security.Cryptography;
using System.Text;
using EmailRelay.Protocol.Sasl;

namespace EmailRelay.Protocol.Tests.Sasl;

public class ResumableHashTests
{
    [Theory]
    // RFC 1321 appendix A.5
    [InlineData("Md5", "", "d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("Md5", "a", "0cc175b9c0f1b6a831c399e269772661")]
    [InlineData("Md5", "abc", "900150983cd24fb0d6963f7d28e17f72")]
    [InlineData("Md5", "message digest", "f96b697d7cb7938d525a2f31aaf161d0")]
    [InlineData("Md5", "abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b")]
    [InlineData("Md5", "12345678901234567890123456789012345678901234567890123456789012345678901234567890", "57edf4a22be3c955ac49da2e2107b67a")]
    // FIPS 180 examples
    [InlineData("Sha1", "abc", "a9993e364706816aba3e25717850c26c9cd0d89d")]
    [InlineData("Sha1", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1")]
    [InlineData("Sha256", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("Sha256", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")]
    [InlineData("Sha512", "abc", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")]
    [InlineData("Sha512", "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu", "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909")]
    public void Compute_matches_published_vectors(string kindName, string input, string expectedHex)
    {
        HashKind kind = Enum.Parse<HashKind>(kindName);
        Assert.Equal(expectedHex, Convert.ToHexStringLower(ResumableHash.Compute(kind, Encoding.ASCII.GetBytes(input))));
    }

    [Theory]
    [InlineData("Md5")]
    [InlineData("Sha1")]
    [InlineData("Sha256")]
    [InlineData("Sha512")]
    public void Compute_matches_the_platform_for_every_length_around_block_boundaries(string kindName)
    {
        HashKind kind = Enum.Parse<HashKind>(kindName);
        var data = new byte[300];
        new Random(7).NextBytes(data);
        for (int n = 0; n <= data.Length; n++)
        {
            byte[] slice = data[..n];
            Assert.Equal(Platform(kind, slice), ResumableHash.Compute(kind, slice));

            // Fed in two pieces at every split point of a few lengths.
            if (n is 55 or 64 or 111 or 128 or 200)
            {
                for (int split = 0; split <= n; split++)
                {
                    var h = ResumableHash.Create(kind);
                    h.Update(slice.AsSpan(0, split));
                    h.Update(slice.AsSpan(split));
                    Assert.Equal(Platform(kind, slice), h.Finish());
                }
            }
        }
    }

    [Theory]
    [InlineData("Md5")]
    [InlineData("Sha1")]
    [InlineData("Sha256")]
    [InlineData("Sha512")]
    public void A_saved_state_resumes_to_the_same_digest(string kindName)
    {
        HashKind kind = Enum.Parse<HashKind>(kindName);
        var data = new byte[1000];
        new Random(3).NextBytes(data);
        var first = ResumableHash.Create(kind);
        int block = first.BlockSize;
        first.Update(data.AsSpan(0, block * 2));
        byte[] state = first.SaveState();
        var resumed = ResumableHash.Resume(kind, state, 2);
        resumed.Update(data.AsSpan(block * 2));
        Assert.Equal(Platform(kind, data), resumed.Finish());
    }

    [Fact]
    public void SaveState_off_a_block_boundary_throws()
    {
        var h = ResumableHash.Create(HashKind.Md5);
        h.Update([1, 2, 3]);
        Assert.Throws<InvalidOperationException>(() => h.SaveState());
    }

    private static byte[] Platform(HashKind kind, byte[] data) => kind switch
    {
#pragma warning disable CA5351 // MD5 is what the protocol needs
        HashKind.Md5 => MD5.HashData(data),
#pragma warning restore CA5351
#pragma warning disable CA5350
        HashKind.Sha1 => SHA1.HashData(data),
#pragma warning restore CA5350
        HashKind.Sha256 => SHA256.HashData(data),
        _ => SHA512.HashData(data),
    };
}
