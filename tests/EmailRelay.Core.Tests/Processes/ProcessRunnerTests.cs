using System.Text;
using EmailRelay.Processes;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.Core.Tests.Processes;

public class ProcessRunnerTests
{
    private static readonly TimeSpan s_long = TimeSpan.FromSeconds(30);

    internal static string Script(TestDirectory dir, string name, string body)
    {
        var path = Path.Combine(dir.Path, name);
        File.WriteAllText(path, body.ReplaceLineEndings("\n"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        return path;
    }

    private static Task<ProcessResult> Run(string path, params string[] args)
        => ProcessRunner.RunAsync(path, args, s_long, TimeProvider.System, CancellationToken.None);

    [Fact]
    public async Task Exit_code_and_stdout_are_returned()
    {
        using var dir = new TestDirectory();
        var script = Script(dir, "s.sh", "#!/bin/sh\necho hello\nexit 42\n");
        var result = await Run(script);
        Assert.Equal(ProcessOutcome.Exited, result.Outcome);
        Assert.Equal(42, result.ExitCode);
        Assert.Equal("hello\n", Encoding.ASCII.GetString(result.Output));
    }

    [Fact]
    public async Task The_environment_is_only_path_and_ifs()
    {
        var result = await Run("/usr/bin/env");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("PATH=/usr/bin:/bin\nIFS= \t\n\n", Encoding.ASCII.GetString(result.Output));
    }

    [Fact]
    public async Task Hostile_arguments_arrive_intact_and_run_nothing()
    {
        using var dir = new TestDirectory();
        var pwned = Path.Combine(dir.Path, "pwned");
        var script = Script(dir, "args.py", "#!/usr/bin/python3\nimport sys\nfor a in sys.argv[1:]: print('[' + a + ']')\n");
        string[] hostile = ["\"a;touch " + pwned + "\"@y", "`touch " + pwned + "`@y", "$(touch " + pwned + ")@y", "a b\tc", ""];
        var result = await Run(script, hostile);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(string.Concat(hostile.Select(a => "[" + a + "]\n")), Encoding.UTF8.GetString(result.Output));
        Assert.False(File.Exists(pwned));
    }

    [Fact]
    public async Task Stdin_is_dev_null_stderr_is_discarded_and_no_extra_descriptors_are_open()
    {
        using var dir = new TestDirectory();
        var script = Script(dir, "fds.py", "#!/usr/bin/python3\nimport os,sys\nprint(os.readlink('/proc/self/fd/0'))\nprint(os.readlink('/proc/self/fd/2'))\nprint(sorted(int(f) for f in os.listdir('/proc/self/fd')))\nprint(os.getpgrp() == os.getpid())\n");
        var result = await Run(script);
        var lines = Encoding.ASCII.GetString(result.Output).Split('\n');
        Assert.Equal("/dev/null", lines[0]);
        Assert.Equal("/dev/null", lines[1]);
        Assert.Equal("[0, 1, 2, 3]", lines[2]); // 3 is listdir's own descriptor
        Assert.Equal("True", lines[3]);
    }

    [Fact]
    public async Task Only_the_first_1024_bytes_of_stdout_are_kept_and_the_rest_is_drained()
    {
        using var dir = new TestDirectory();
        var script = Script(dir, "big.py", "#!/usr/bin/python3\nimport sys\nsys.stdout.write('x' * 200000)\n");
        var result = await Run(script);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(1024, result.Output.Length);
    }

    [Fact]
    public async Task A_missing_program_is_an_exec_failure_with_the_errno_text()
    {
        using var dir = new TestDirectory();
        var result = await Run(Path.Combine(dir.Path, "missing"));
        Assert.Equal(ProcessOutcome.ExecFailed, result.Outcome);
        Assert.Contains("No such file", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_directory_is_an_exec_failure()
    {
        using var dir = new TestDirectory();
        var result = await Run(dir.Path);
        Assert.Equal(ProcessOutcome.ExecFailed, result.Outcome);
    }

    [Fact]
    public async Task A_signal_is_reported()
    {
        using var dir = new TestDirectory();
        var script = Script(dir, "kill.sh", "#!/bin/sh\nkill -9 $$\n");
        var result = await Run(script);
        Assert.Equal(ProcessOutcome.Signalled, result.Outcome);
        Assert.Equal(9, result.Signal);
    }

    [Fact]
    public async Task A_timeout_terminates_the_whole_process_group()
    {
        using var dir = new TestDirectory();
        var marker = Path.Combine(dir.Path, "pids");
        var script = Script(dir, "slow.sh", "#!/bin/sh\nsleep 60 &\necho $! > '" + marker + "'\nsleep 60\n");
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var run = ProcessRunner.RunAsync(script, [], TimeSpan.FromSeconds(30), time, CancellationToken.None);
        // The timeout fires on the fake clock only once the script has started its grandchild and said so.
        await Poll.UntilAsync(() => File.Exists(marker) && File.ReadAllText(marker).EndsWith('\n'), TimeSpan.FromSeconds(20), "the script's marker");
        Assert.False(run.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(30));
        var result = await run;
        Assert.Equal(ProcessOutcome.TimedOut, result.Outcome);
        var grandchild = int.Parse(File.ReadAllText(marker).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        await Poll.UntilAsync(() => !File.Exists("/proc/" + grandchild + "/cmdline") || File.ReadAllText("/proc/" + grandchild + "/stat").Contains(") Z ", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the grandchild to die");
    }

    [Fact]
    public async Task Paths_with_spaces_run()
    {
        using var dir = new TestDirectory();
        Directory.CreateDirectory(Path.Combine(dir.Path, "a dir"));
        var script = Script(dir, "a dir/my filter.sh", "#!/bin/sh\necho \"<<$1>>\"\n");
        var result = await Run(script, "x y");
        Assert.Equal("<<x y>>\n", Encoding.ASCII.GetString(result.Output));
    }

    [Fact]
    public async Task Ten_concurrent_runs_all_complete()
    {
        var runs = Enumerable.Range(0, 10).Select(i => ProcessRunner.RunAsync("/bin/sh", ["-c", "exit " + i], s_long, TimeProvider.System, CancellationToken.None)).ToArray();
        var results = await Task.WhenAll(runs);
        Assert.Equal(Enumerable.Range(0, 10), results.Select(r => r.ExitCode));
    }

    [Fact]
    public async Task A_child_that_closes_stdout_and_keeps_running_is_still_reaped_with_its_exit_code()
    {
        using var dir = new TestDirectory();
        var script = Script(dir, "s.sh", "#!/bin/sh\necho early\nexec >&-\nsleep 0.3\nexit 7\n");
        var result = await Run(script);
        Assert.Equal(ProcessOutcome.Exited, result.Outcome);
        Assert.Equal(7, result.ExitCode);
        Assert.Equal("early\n", Encoding.ASCII.GetString(result.Output));
    }
}
