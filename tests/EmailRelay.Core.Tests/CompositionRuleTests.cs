using System.Text.RegularExpressions;
using EmailRelay.Testing;

namespace EmailRelay.Core.Tests;

/// <summary>
/// Architecture §5: <c>Core/Hosting/</c> is the only composition root. The concrete handlers and the forwarder are
/// constructed only there, and each connection driver only by its own handler.
/// </summary>
public sealed partial class CompositionRuleTests
{
    /// <summary>Type constructed, and the only paths (prefixes) allowed to construct it.</summary>
    private static readonly Dictionary<string, string[]> s_rules = new(StringComparer.Ordinal)
    {
        ["SmtpServerConnectionHandler"] = ["src/EmailRelay.Core/Hosting/"],
        ["Pop3ServerConnectionHandler"] = ["src/EmailRelay.Core/Hosting/"],
        ["AdminConnectionHandler"] = ["src/EmailRelay.Core/Hosting/"],
        ["Forwarder"] = ["src/EmailRelay.Core/Hosting/"],
        ["RelayControl"] = ["src/EmailRelay.Core/Hosting/"],
        ["UnitRuntime"] = ["src/EmailRelay.Core/Hosting/"],
        ["SmtpServerConnection"] = ["src/EmailRelay.Core/Smtp/Server/SmtpServerConnectionHandler.cs"],
        ["Pop3ServerConnection"] = ["src/EmailRelay.Core/Pop3/Pop3ServerConnectionHandler.cs"],
        ["AdminConnection"] = ["src/EmailRelay.Core/Admin/AdminConnectionHandler.cs"],
    };

    [Fact]
    public void Only_hosting_constructs_the_concrete_drivers()
    {
        var root = RepositoryRoot.Path;
        var files = Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(root, p).Replace('\\', '/'))
            .Where(p => !p.Contains("/bin/", StringComparison.Ordinal) && !p.Contains("/obj/", StringComparison.Ordinal))
            .Select(p => (Path: p, Content: File.ReadAllText(Path.Combine(root, p))))
            .ToList();
        Assert.Contains(files, f => f.Path.EndsWith("Hosting/UnitRuntime.cs", StringComparison.Ordinal));
        var violations = files.SelectMany(f => Check(f.Path, f.Content)).ToList();
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Theory]
    [InlineData("src/EmailRelay.Cli/Program.cs", "var f = new Forwarder(spool, null, options, time, logger);", "Forwarder")]
    [InlineData("src/EmailRelay.Core/Smtp/Client/X.cs", "var h = new SmtpServerConnectionHandler(options, services);", "SmtpServerConnectionHandler")]
    [InlineData("src/EmailRelay.Core/Hosting/X.cs", "using var c = new SmtpServerConnection(stream, null, 1, options, services);", "SmtpServerConnection")]
    [InlineData("src/EmailRelay.Core/Admin/X.cs", "Forwarder f = new(spool, null, options, time, logger);", "Forwarder")]
    public void A_construction_outside_its_place_is_reported(string path, string content, string type)
    {
        Assert.Contains(Check(path, content), v => v.Contains("constructs " + type + " ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("src/EmailRelay.Core/Hosting/X.cs", "var f = new Forwarder(spool, null, options, time, logger);")]
    [InlineData("src/EmailRelay.Core/Smtp/Client/X.cs", "var r = new ForwarderRun(); var s = new SmtpServerConnectionHandlerOptions();")]
    public void Allowed_constructions_pass(string path, string content)
    {
        Assert.Empty(Check(path, content));
    }

    private static IEnumerable<string> Check(string path, string content)
    {
        foreach (Match match in ConstructionRegex().Matches(content))
        {
            var type = match.Groups["type"].Success ? match.Groups["type"].Value : match.Groups["declared"].Value;
            if (s_rules.TryGetValue(type, out var allowed) && !allowed.Any(a => path.StartsWith(a, StringComparison.Ordinal)))
            {
                yield return path + ": constructs " + type + " (only " + string.Join(", ", allowed) + " may)";
            }
        }
    }

    // "new Type(" or "new Type {", and "Type name = new(".
    [GeneratedRegex(@"\bnew\s+(?<type>[A-Z][A-Za-z0-9]*)\s*[({]|\b(?<declared>[A-Z][A-Za-z0-9]*)\??\s+[a-z_][A-Za-z0-9_]*\s*=\s*new\s*\(")]
    private static partial Regex ConstructionRegex();
}
