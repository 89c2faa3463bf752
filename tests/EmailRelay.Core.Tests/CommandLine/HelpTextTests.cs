using EmailRelay.Cli.CommandLine;

using static EmailRelay.Core.Tests.CommandLine.CommandLineTestSupport;

namespace EmailRelay.Core.Tests.CommandLine;

public class HelpTextTests
{
    public static TheoryData<string> VisibleOptions() => [.. OptionTable.All.Where(o => !o.IsHidden).Select(o => o.Name)];

    [Theory]
    [MemberData(nameof(VisibleOptions))]
    public void Verbose_help_lists_every_visible_option_with_letter_argument_and_default(string name)
    {
        var option = OptionTable.Get(name);
        var lines = Assert.IsType<ShowText>(Parse("--help", "--verbose")).Text.Split('\n');
        var synopsis = (option.ShortName is { } letter ? $"-{letter}, " : "") + option.LongForm;
        var line = Assert.Single(lines, l => l.TrimStart().StartsWith(synopsis, StringComparison.Ordinal)
            && l.TrimStart().Length > synopsis.Length && l.TrimStart()[synopsis.Length] is ' ' or '[');
        if (option.ShortName is { } c)
        {
            Assert.Contains($"-{c}, {option.LongForm}", line, StringComparison.Ordinal);
        }

        if (option.ArgumentName is not null)
        {
            Assert.Contains($"<{option.ArgumentName}>", line, StringComparison.Ordinal);
        }

        if (option.Default is not null)
        {
            Assert.Contains($"(default: {option.Default})", line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Help_shows_the_real_timeout_defaults()
    {
        var text = HelpText.Build(verbose: true);
        Assert.Matches(@"--idle-timeout <seconds> +.*\(default: 300\)", text);
        Assert.Matches(@"-T, --response-timeout <seconds> +.*\(default: 300\)", text);
    }

    [Fact]
    public void Hidden_options_are_not_listed()
    {
        var text = HelpText.Build(verbose: true);
        Assert.DoesNotContain("--test", text, StringComparison.Ordinal);
        Assert.DoesNotContain("--hidden", text, StringComparison.Ordinal);
        Assert.DoesNotContain("--show", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Basic_help_lists_only_the_basic_options()
    {
        var text = Assert.IsType<ShowText>(Parse("--help")).Text;
        Assert.StartsWith("usage: emailrelay ", text, StringComparison.Ordinal);
        var expected = OptionTable.All.Where(o => o.IsBasic).Select(o => o.Name).Order(StringComparer.Ordinal);
        Assert.Equal(expected, ListedOptions(text).Order(StringComparer.Ordinal));

        Assert.Contains("-s, --spool-dir <dir>", text, StringComparison.Ordinal);
        Assert.Contains("emailrelay --help --verbose", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Verbose_help_lists_each_visible_option_once()
    {
        var expected = OptionTable.All.Where(o => !o.IsHidden).Select(o => o.Name).Order(StringComparer.Ordinal);
        Assert.Equal(expected, ListedOptions(HelpText.Build(verbose: true)).Order(StringComparer.Ordinal));
    }

    private static IEnumerable<string> ListedOptions(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith("  -", StringComparison.Ordinal) && !line.StartsWith("      --", StringComparison.Ordinal))
            {
                continue;
            }

            var synopsis = line.TrimStart();
            if (!synopsis.StartsWith("--", StringComparison.Ordinal))
            {
                synopsis = synopsis[4..];
            }

            var end = synopsis.IndexOfAny([' ', '[']);
            yield return synopsis[2..(end < 0 ? synopsis.Length : end)];
        }
    }

    [Theory]
    [InlineData("tls-config", "Tls")]
    [InlineData("pop-auth", "Auth")]
    [InlineData("admin-terminate", "Admin")]
    [InlineData("close-stderr", "Logging")]
    [InlineData("immediate", "Client")]
    [InlineData("client-connections", "Client")]
    [InlineData("filter", "Server")]
    [InlineData("as-client", "Client")]
    [InlineData("as-proxy", "Basic")]
    [InlineData("no-daemon", "Process")]
    public void Options_are_grouped_in_E_MailRelay_sections(string name, string section) =>
        Assert.Equal(Enum.Parse<OptionGroups>(section), HelpText.SectionOf(OptionTable.Get(name)));

    [Fact]
    public void Verbose_help_documents_client_connections_and_its_safe_default()
    {
        var text = HelpText.Build(verbose: true);
        Assert.Contains("--client-connections", text, StringComparison.Ordinal);
        Assert.Contains("how many connections to the next hop a forwarding run may use at once", text, StringComparison.Ordinal);
        Assert.Contains(HelpText.Description(OptionTable.Get("client-connections")), text, StringComparison.Ordinal);
        Assert.Equal("1", OptionTable.Get("client-connections").Default);
    }
}
