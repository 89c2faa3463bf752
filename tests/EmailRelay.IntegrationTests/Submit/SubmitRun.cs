using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Submit;

/// <summary>Runs the relay executable under another program name (a symlink), as installed.</summary>
internal static class SubmitRun
{
    public static string Link(string directory, string name)
    {
        var link = Path.Combine(directory, name);
        if (!File.Exists(link))
        {
            File.CreateSymbolicLink(link, RelayProcess.ExecutablePath);
        }

        return link;
    }

    public static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string tool, string stdin, params string[] args)
    {
        using var bin = new TestDirectory();
        await using var process = ToolProcess.Start(Link(bin.Path, tool), args, stdin);
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        return (code, process.StandardOutput, process.StandardError);
    }
}
