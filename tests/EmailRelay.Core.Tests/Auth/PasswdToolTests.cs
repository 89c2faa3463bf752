using EmailRelay.Cli.Tools;
using EmailRelay.Protocol.Sasl;

namespace EmailRelay.Core.Tests.Auth;

public class PasswdToolTests
{
    private static (int Code, string Out, string Err) Run(string stdin, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = PasswdTool.Run(args, new StringReader(stdin), output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void Password123_from_stdin_prints_the_reference_value()
    {
        Assert.Equal((0, "9N2IRYVXqu7SkOW1Xat+wpR9NbA2R6fb61XlmqW+46E=" + Environment.NewLine, ""), Run("password123\n"));
        Assert.Equal((0, "9N2IRYVXqu7SkOW1Xat+wpR9NbA2R6fb61XlmqW+46E=" + Environment.NewLine, ""), Run("", "-p", "password123"));
        Assert.Equal((0, "9N2IRYVXqu7SkOW1Xat+wpR9NbA2R6fb61XlmqW+46E=" + Environment.NewLine, ""), Run("cGFzc3dvcmQxMjM=\n", "-b"));
    }

    [Fact]
    public void None_only_xtext_encodes()
    {
        Assert.Equal("a+20b+2Bc" + Environment.NewLine, Run("", "-H", "none", "-p", "a b+c").Out);
    }

    [Theory]
    [InlineData("sha1", 40)]
    [InlineData("sha256", 64)]
    [InlineData("SHA512", 128)]
    public void Sha_hashes_work_and_verify(string hash, int size)
    {
        var (code, output, _) = Run("", "--hash=" + hash, "-p", "pw");
        Assert.Equal(0, code);
        byte[] state = Convert.FromBase64String(output.Trim());
        Assert.Equal(size, state.Length);
        var kind = SecretTypes.HashOf(hash.ToLowerInvariant())!.Value;
        Assert.Equal(Hmac.MaskedState(kind, "pw"u8), state);
    }

    [Fact]
    public void Dotted_prints_eight_numbers_the_secrets_file_reads_back()
    {
        var (code, output, _) = Run("password123\n", "-d");
        Assert.Equal(0, code);
        string dotted = output.Trim();
        Assert.Equal(8, dotted.Split('.').Length);
        var table = EmailRelay.Auth.SecretsParser.Parse("server md5 alice " + dotted, "t");
        Assert.True(table.CheckPassword("alice", "password123"u8));
    }

    [Fact]
    public void Bad_options_fail()
    {
        Assert.Equal(2, Run("", "-x").Code);
        Assert.Equal(1, Run("", "-H", "md4", "-p", "x").Code);
        Assert.Equal(1, Run("", "-b", "-p", "!!").Code);
    }
}
