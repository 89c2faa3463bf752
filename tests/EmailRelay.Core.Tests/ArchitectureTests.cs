using System.Text.RegularExpressions;
using EmailRelay.Testing;

namespace EmailRelay.Core.Tests;

/// <summary>
/// Enforces architecture.md §4a dependency rules 1-3 over <c>src/**/*.cs</c>: namespaces follow folders;
/// Cli → Core → Protocol and never backwards; Protocol references only Protocol; inside Core the leaf folders
/// (and the middle folders Filters and Verifiers) never reference the feature folders Smtp, Pop3, Admin and
/// Hosting; feature folders never reference each other; only Hosting composes. References are read from <c>using</c>
/// directives and from qualified names in code (<c>Pop3.PopStore</c>, <c>EmailRelay.Hosting.RelayHost</c>). Only
/// <c>Spool/</c> touches spool files: no other folder of Core names the spool's file types.
/// </summary>
public sealed partial class ArchitectureTests
{
    private static readonly HashSet<string> s_features = ["Smtp", "Pop3", "Admin", "Hosting"];

    [Fact]
    public void Every_source_file_follows_the_folder_and_dependency_rules()
    {
        var root = RepositoryRoot.Path;
        var files = Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(root, p).Replace('\\', '/'))
            .Where(p => !p.Contains("/bin/", StringComparison.Ordinal) && !p.Contains("/obj/", StringComparison.Ordinal))
            .Select(p => new SourceFile(p, File.ReadAllText(Path.Combine(root, p))))
            .ToList();

        Assert.NotEmpty(files);
        Assert.Contains(files, f => f.Path.EndsWith("Program.cs", StringComparison.Ordinal));
        var violations = Check(files);
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Theory]
    [InlineData("src/EmailRelay.Protocol/Smtp/X.cs", "namespace EmailRelay.Protocol.Smtp;\nusing EmailRelay.Spool;", "Protocol may only use Protocol")]
    [InlineData("src/EmailRelay.Core/Net/X.cs", "using EmailRelay.Smtp.Server;\nnamespace EmailRelay.Net;", "leaf folder Net must not use feature folder Smtp")]
    [InlineData("src/EmailRelay.Core/Diagnostics/X.cs", "using EmailRelay.Hosting;\nnamespace EmailRelay.Diagnostics;", "leaf folder Diagnostics must not use feature folder Hosting")]
    [InlineData("src/EmailRelay.Core/Dns/X.cs", "using EmailRelay.Smtp.Server;\nnamespace EmailRelay.Dns;", "leaf folder Dns must not use feature folder Smtp")]
    [InlineData("src/EmailRelay.Core/Pop3/X.cs", "using EmailRelay.Admin;\nnamespace EmailRelay.Pop3;", "feature folder Pop3 must not use feature folder Admin")]
    [InlineData("src/EmailRelay.Core/Smtp/Server/X.cs", "using EmailRelay.Hosting;\nnamespace EmailRelay.Smtp.Server;", "feature folder Smtp must not use feature folder Hosting")]
    [InlineData("src/EmailRelay.Core/Spool/X.cs", "using EmailRelay.Cli.Logging;\nnamespace EmailRelay.Spool;", "Core must not use Cli")]
    [InlineData("src/EmailRelay.Core/Hosting/X.cs", "using EmailRelay.Web.Queue;\nnamespace EmailRelay.Hosting;", "Core must not use Web")]
    [InlineData("src/EmailRelay.Web/Queue/X.cs", "using EmailRelay.Cli.Hosting;\nnamespace EmailRelay.Web.Queue;", "Web must not use Cli")]
    [InlineData("src/EmailRelay.Protocol/Mail/X.cs", "using EmailRelay.Web;\nnamespace EmailRelay.Protocol.Mail;", "Protocol may only use Protocol")]
    [InlineData("src/EmailRelay.Core/Spool/X.cs", "namespace EmailRelay.Net;", "namespace EmailRelay.Net does not match folder (expected EmailRelay.Spool)")]
    [InlineData("src/EmailRelay.Cli/Logging/X.cs", "namespace EmailRelay.Cli.Daemon;", "namespace EmailRelay.Cli.Daemon does not match folder (expected EmailRelay.Cli.Logging)")]
    [InlineData("src/EmailRelay.Core/Filters/X.cs", "using static EmailRelay.Pop3.PopStore;\nnamespace EmailRelay.Filters;", "leaf folder Filters must not use feature folder Pop3")]
    [InlineData("src/EmailRelay.Core/Spool/X.cs", "global using Alias = EmailRelay.Admin.AdminSession;\nnamespace EmailRelay.Spool;", "leaf folder Spool must not use feature folder Admin")]
    [InlineData("src/EmailRelay.Core/Filters/X.cs", "namespace EmailRelay.Filters;\nclass X { object? p = (Pop3.PopStore?)null; }", "leaf folder Filters must not use feature folder Pop3")]
    [InlineData("src/EmailRelay.Core/Net/X.cs", "namespace EmailRelay.Net;\nclass X { EmailRelay.Hosting.RelayHost? h; }", "leaf folder Net must not use feature folder Hosting")]
    [InlineData("src/EmailRelay.Core/Filters/X.cs", "namespace EmailRelay.Filters;\nclass X { Spool.FileNewMessage? m; }", "only Spool touches spool files")]
    [InlineData("src/EmailRelay.Core/Smtp/Server/X.cs", "namespace EmailRelay.Smtp.Server;\nclass X { void F() => SpoolFile.WriteDurably(\"p\", []); }", "only Spool touches spool files")]
    public void A_broken_rule_is_reported(string path, string content, string expected)
    {
        var violations = Check([new SourceFile(path, content)]);
        Assert.Contains(violations, v => v.Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("src/EmailRelay.Core/Hosting/X.cs", "using EmailRelay.Smtp.Server;\nusing EmailRelay.Pop3;\nusing EmailRelay.Net;\nnamespace EmailRelay.Hosting;")]
    [InlineData("src/EmailRelay.Core/Smtp/Client/X.cs", "using EmailRelay.Smtp.Server;\nusing EmailRelay.Protocol.Smtp;\nnamespace EmailRelay.Smtp.Client;")]
    [InlineData("src/EmailRelay.Cli/X.cs", "using EmailRelay.Hosting;\nusing EmailRelay.Cli.Logging;\nnamespace EmailRelay.Cli;")]
    [InlineData("src/EmailRelay.Core/Net/X.cs", "using EmailRelay.Diagnostics;\nusing EmailRelay.Protocol.Text;\nnamespace EmailRelay.Net;")]
    [InlineData("src/EmailRelay.Protocol/Y.cs", "namespace EmailRelay.Protocol;")]
    [InlineData("src/EmailRelay.Core/Filters/X.cs", "using EmailRelay.Dns;\nusing EmailRelay.Protocol.Dns;\nnamespace EmailRelay.Filters;")]
    [InlineData("src/EmailRelay.Core/Dns/X.cs", "using EmailRelay.Net;\nusing EmailRelay.Protocol.Dns;\nnamespace EmailRelay.Dns;")]
    [InlineData("src/EmailRelay.Core/Filters/X.cs", "namespace EmailRelay.Filters;\n// Pop3.PopStore and FileNewMessage, in a comment\nclass X { object s = RelayService.Smtp; Protocol.Smtp.SmtpReply? r; }")]
    [InlineData("src/EmailRelay.Core/Spool/X.cs", "namespace EmailRelay.Spool;\nclass X { FileNewMessage? m; }")]
    public void Allowed_references_pass(string path, string content)
    {
        Assert.Empty(Check([new SourceFile(path, content)]));
    }

    private static List<string> Check(IEnumerable<SourceFile> files)
    {
        var violations = new List<string>();
        foreach (var file in files)
        {
            var expected = ExpectedNamespace(file.Path);
            if (expected is null)
            {
                violations.Add(file.Path + ": not under src/EmailRelay.{Protocol,Core,Web,Cli}");
                continue;
            }

            var declared = NamespaceRegex().Match(file.Content);
            if (!declared.Success || !string.Equals(declared.Groups[1].Value, expected, StringComparison.Ordinal))
            {
                var actual = declared.Success ? declared.Groups[1].Value : "(none)";
                violations.Add($"{file.Path}: namespace {actual} does not match folder (expected {expected})");
            }

            var (fromAssembly, fromArea) = Classify(expected);
            var code = CommentRegex().Replace(file.Content, string.Empty);
            var references = UsingRegex().Matches(file.Content).Select(m => m.Groups[1].Value)
                .Concat(QualifiedRegex().Matches(code).Select(m => "EmailRelay." + m.Groups[1].Value));
            foreach (var reference in references.Distinct(StringComparer.Ordinal))
            {
                var (toAssembly, toArea) = Classify(reference);
                if (Violation(fromAssembly, fromArea, toAssembly, toArea) is { } rule)
                {
                    violations.Add($"{file.Path}: uses {reference}: {rule}");
                }
            }

            if (fromAssembly == "Core" && fromArea != "Spool" && SpoolFileTypeRegex().Match(code) is { Success: true } spoolType)
            {
                violations.Add($"{file.Path}: uses {spoolType.Value}: only Spool touches spool files (use the spool's verbs)");
            }
        }

        return violations;
    }

    private static string? Violation(string fromAssembly, string fromArea, string toAssembly, string toArea)
    {
        switch (fromAssembly)
        {
            case "Protocol":
                return toAssembly == "Protocol" ? null : "Protocol may only use Protocol (rule 1)";
            case "Core":
                if (toAssembly == "Cli")
                {
                    return "Core must not use Cli (rule 1)";
                }

                if (toAssembly == "Web")
                {
                    return "Core must not use Web (rule 1)";
                }

                if (toAssembly != "Core" || toArea == fromArea || fromArea == "Hosting" || !s_features.Contains(toArea))
                {
                    return null;
                }

                return s_features.Contains(fromArea)
                    ? $"feature folder {fromArea} must not use feature folder {toArea} (rule 3)"
                    : $"leaf folder {fromArea} must not use feature folder {toArea} (rule 3)";
            case "Web":
                return toAssembly == "Cli" ? "Web must not use Cli (rule 1)" : null;
            default:
                return null;
        }
    }

    private static (string Assembly, string Area) Classify(string ns)
    {
        var parts = ns.Split('.');
        if (parts.Length >= 2 && parts[1] == "Protocol")
        {
            return ("Protocol", parts.Length > 2 ? parts[2] : string.Empty);
        }

        if (parts.Length >= 2 && parts[1] == "Web")
        {
            return ("Web", parts.Length > 2 ? parts[2] : string.Empty);
        }

        if (parts.Length >= 2 && parts[1] == "Cli")
        {
            return ("Cli", parts.Length > 2 ? parts[2] : string.Empty);
        }

        return ("Core", parts.Length > 1 ? parts[1] : string.Empty);
    }

    private static string? ExpectedNamespace(string path)
    {
        var parts = path.Split('/');
        if (parts.Length < 3 || parts[0] != "src")
        {
            return null;
        }

        var folders = parts[2..^1];
        var prefix = parts[1] switch
        {
            "EmailRelay.Protocol" => "EmailRelay.Protocol",
            "EmailRelay.Core" => "EmailRelay",
            "EmailRelay.Cli" => "EmailRelay.Cli",
            "EmailRelay.Web" => "EmailRelay.Web",
            _ => null,
        };
        return prefix is null ? null : string.Join('.', new[] { prefix }.Concat(folders));
    }

    [GeneratedRegex(@"^\s*namespace\s+([A-Za-z0-9_.]+)\s*[;{]", RegexOptions.Multiline)]
    private static partial Regex NamespaceRegex();

    [GeneratedRegex(@"^\s*(?:global\s+)?using\s+(?:static\s+)?(?:[A-Za-z0-9_]+\s*=\s*)?(EmailRelay(?:\.[A-Za-z0-9_]+)*)", RegexOptions.Multiline)]
    private static partial Regex UsingRegex();

    /// <summary>A qualified name of a type in a feature folder, not preceded by another name part.</summary>
    [GeneratedRegex(@"(?<![\w.])(?:EmailRelay\.)?((?:Smtp|Pop3|Admin|Hosting)(?:\.[A-Z][A-Za-z0-9_]*)+)")]
    private static partial Regex QualifiedRegex();

    [GeneratedRegex(@"//[^\n]*")]
    private static partial Regex CommentRegex();

    /// <summary>The spool's own file-level types.</summary>
    [GeneratedRegex(@"\b(?:FileNewMessage|FileStoredMessage|FileFilterMessage|SpoolPaths|SpoolFile|LinkedCopy|MailboxCopier|ContentReplacement|HardLinks|OwnerLock)\b")]
    private static partial Regex SpoolFileTypeRegex();

    private sealed record SourceFile(string Path, string Content);
}
