using System.Globalization;
using System.Text.RegularExpressions;
using EmailRelay.Testing;

namespace EmailRelay.Core.Tests.Logging;

/// <summary>
/// Issue 17: the log event ids match their registry, <c>src/EmailRelay.Core/Diagnostics/EventIds.md</c>. Every
/// <c>[LoggerMessage]</c> id in <c>src/</c> lies in the range the registry gives the file that declares it, every
/// file that declares one is in the registry, and no id is used twice.
/// </summary>
public sealed partial class EventIdRegistryTests
{
    [Fact]
    public void Every_log_event_id_is_in_its_files_registered_range_and_used_once()
    {
        var root = RepositoryRoot.Path;
        var registry = Registry(File.ReadAllText(Path.Combine(root, "src", "EmailRelay.Core", "Diagnostics", "EventIds.md")));
        Assert.NotEmpty(registry);
        var problems = new List<string>();
        var seen = new Dictionary<int, string>();
        foreach (var path in Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, path).Replace('\\', '/');
            if (relative.Contains("/obj/", StringComparison.Ordinal) || relative.Contains("/bin/", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var id in Ids(File.ReadAllText(path)))
            {
                if (seen.TryGetValue(id, out var first))
                {
                    problems.Add($"{relative}: id {id} is also used in {first}");
                }

                seen[id] = relative;
                var range = registry.FirstOrDefault(r => relative.EndsWith("/" + r.File, StringComparison.Ordinal));
                if (range.File is null)
                {
                    problems.Add($"{relative}: declares log event ids but is not in EventIds.md");
                }
                else if (id < range.Low || id > range.High)
                {
                    problems.Add($"{relative}: id {id} is outside its range {range.Low}-{range.High}");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Theory]
    [InlineData("[LoggerMessage(1004, LogLevel.Debug, \"x\")]", 1004)]
    [InlineData("[LoggerMessage(EventId = 6003, Level = LogLevel.Information, Message = \"x\")]", 6003)]
    public void Both_attribute_forms_are_read(string source, int id)
    {
        Assert.Equal([id], Ids(source));
    }

    private static List<int> Ids(string source) =>
        [.. IdRegex().Matches(source).Select(m => int.Parse(m.Groups["id"].Value, CultureInfo.InvariantCulture))];

    private static List<(int Low, int High, string File)> Registry(string markdown) =>
        [.. RowRegex().Matches(markdown).Select(m => (int.Parse(m.Groups["low"].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups["high"].Value, CultureInfo.InvariantCulture), m.Groups["file"].Value))];

    [GeneratedRegex(@"\[LoggerMessage\((?:EventId\s*=\s*)?(?<id>\d+)")]
    private static partial Regex IdRegex();

    // | 100–199 | listeners | `Net/Log.Net.cs` |
    [GeneratedRegex(@"^\|\s*(?<low>\d+)\s*[–-]\s*(?<high>\d+)\s*\|[^|]*\|\s*`(?<file>[^`]+)`", RegexOptions.Multiline)]
    private static partial Regex RowRegex();
}
