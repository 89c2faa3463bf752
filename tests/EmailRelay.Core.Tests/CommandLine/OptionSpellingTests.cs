using EmailRelay.Cli.CommandLine;

using static EmailRelay.Core.Tests.CommandLine.CommandLineTestSupport;

namespace EmailRelay.Core.Tests.CommandLine;

public class OptionSpellingTests
{
    private const string Value = "v1";

    public static TheoryData<string, string> Spellings()
    {
        var data = new TheoryData<string, string>();
        foreach (var option in OptionTable.All)
        {
            switch (option.Kind)
            {
                case ArgumentKind.Required:
                    data.Add(option.Name, "long=");
                    data.Add(option.Name, "long space");
                    break;
                case ArgumentKind.Optional:
                    data.Add(option.Name, "long=");
                    data.Add(option.Name, "long");
                    break;
                default:
                    data.Add(option.Name, "long");
                    break;
            }

            if (option.ShortName is not null)
            {
                data.Add(option.Name, "short");
                data.Add(option.Name, "bundled");
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Spellings))]
    public void Every_option_parses_in_every_spelling(string name, string spelling)
    {
        var option = OptionTable.Get(name);
        var takesValue = option.Kind == ArgumentKind.Required;
        var other = option.ShortName == 'r' ? 'n' : 'r'; // a flag to bundle with
        string[] args = spelling switch
        {
            "long=" => [$"--{name}={Value}"],
            "long space" => [$"--{name}", Value],
            "long" => [$"--{name}"],
            "short" => takesValue ? [$"-{option.ShortName}", Value] : [$"-{option.ShortName}"],
            _ => takesValue ? [$"-{other}{option.ShortName}", Value] : [$"-{other}{option.ShortName}"],
        };

        var main = Scan(args)[0];

        Assert.True(main.IsSet(name));
        var expected = takesValue || spelling == "long=" ? Value : "";
        Assert.Equal(expected, main.Get(name));
        if (spelling == "bundled")
        {
            Assert.True(main.IsSet(OptionTable.Find(other)!.Name));
        }
    }

    [Fact]
    public void Short_flags_bundle_with_a_value_taking_letter_last()
    {
        var main = Scan("-dvhl", "-rtp", "2525")[0];
        Assert.True(main.IsSet("as-server"));
        Assert.True(main.IsSet("help"));
        Assert.Equal(1, main.Count("verbose"));
        Assert.True(main.IsSet("log"));
        Assert.True(main.IsSet("no-daemon"));
        Assert.Equal("2525", main.Get("port"));
    }

    [Fact]
    public void A_long_value_may_start_with_a_dash()
    {
        Assert.Equal("-pipelining", Scan("--server-smtp-config", "-pipelining")[0].Get("server-smtp-config"));
    }

    [Fact]
    public void A_value_may_contain_an_equals_sign() =>
        Assert.Equal("a=b", Scan("--tls-config=a=b")[0].Get("tls-config"));
}
