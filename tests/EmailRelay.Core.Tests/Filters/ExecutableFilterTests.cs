using EmailRelay.Core.Tests.Processes;
using EmailRelay.Filters;
using EmailRelay.Protocol.Filters;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.Core.Tests.Filters;

public class ExecutableFilterTests
{
    public static TheoryData<int, bool, FilterOutcome, bool> ExitTable => new()
    {
        { 0, true, FilterOutcome.Ok, false }, { 0, false, FilterOutcome.Ok, false },
        { 1, true, FilterOutcome.Fail, false }, { 1, false, FilterOutcome.Fail, false },
        { 99, true, FilterOutcome.Fail, false }, { 99, false, FilterOutcome.Fail, false },
        { 100, true, FilterOutcome.Abandon, false }, { 100, false, FilterOutcome.Abandon, false },
        { 101, true, FilterOutcome.Ok, false }, { 101, false, FilterOutcome.Ok, false },
        { 102, true, FilterOutcome.Abandon, true }, { 102, false, FilterOutcome.Ok, true },
        { 103, true, FilterOutcome.Ok, true }, { 103, false, FilterOutcome.Ok, false },
        { 104, true, FilterOutcome.Fail, true }, { 104, false, FilterOutcome.Abandon, true },
        { 105, true, FilterOutcome.Fail, false }, { 105, false, FilterOutcome.Fail, true },
        { 106, true, FilterOutcome.Fail, false }, { 106, false, FilterOutcome.Fail, false },
        { 255, true, FilterOutcome.Fail, false }, { 255, false, FilterOutcome.Fail, false },
    };

    private static FilterContext Context(TestDirectory dir, bool serverSide)
    {
        var content = Path.Combine(dir.Path, "emailrelay.1.2.3.content");
        var envelope = Path.Combine(dir.Path, serverSide ? "emailrelay.1.2.3.envelope.new" : "emailrelay.1.2.3.envelope.busy");
        File.WriteAllText(content, "Subject: hi\r\n\r\nbody\r\n");
        File.WriteAllText(envelope, "X-MailRelay-Format: #2821.5\r\n");
        return FilterContexts.ForFiles("emailrelay.1.2.3", content, envelope, serverSide);
    }

    private static ExecutableFilter Filter(string path, TimeSpan? timeout = null)
        => new("file:" + path, path, timeout ?? TimeSpan.FromSeconds(30), TimeProvider.System);

    [Theory]
    [MemberData(nameof(ExitTable))]
    public async Task Shell_script_exit_codes_follow_the_table_of_each_side(int exit, bool serverSide, FilterOutcome outcome, bool special)
    {
        using var dir = new TestDirectory();
        var script = ProcessRunnerTests.Script(dir, "f.sh", "#!/bin/sh\necho '<<552 go away>>'\necho '[[because]]'\nexit " + exit + "\n");
        var result = await Filter(script).RunAsync(Context(dir, serverSide), CancellationToken.None);
        Assert.Equal(outcome, result.Outcome);
        Assert.Equal(special, result.Special);
        if (outcome == FilterOutcome.Fail)
        {
            Assert.Equal(("go away", 552, "because"), (result.Response, result.ResponseCode, result.Reason));
        }
    }

    [Theory]
    [MemberData(nameof(ExitTable))]
    public async Task Python_script_exit_codes_follow_the_table_of_each_side(int exit, bool serverSide, FilterOutcome outcome, bool special)
    {
        using var dir = new TestDirectory();
        var script = ProcessRunnerTests.Script(dir, "f.py", "#!/usr/bin/python3\nimport sys\nprint('noise')\nprint('<<odd code>>')\nsys.exit(" + exit + ")\n");
        var result = await Filter(script).RunAsync(Context(dir, serverSide), CancellationToken.None);
        Assert.Equal((outcome, special), (result.Outcome, result.Special));
        if (outcome == FilterOutcome.Fail)
        {
            Assert.Equal(("odd code", 0, "odd code"), (result.Response, result.ResponseCode, result.Reason));
        }
    }

    [Fact]
    public async Task The_program_gets_the_content_and_envelope_paths_and_may_edit_both()
    {
        using var dir = new TestDirectory();
        var script = ProcessRunnerTests.Script(dir, "edit.sh", "#!/bin/sh\necho 'X-Filtered: yes' >> \"$1\"\necho 'X-Env: edited' >> \"$2\"\nexit 0\n");
        var context = Context(dir, serverSide: true);
        var result = await Filter(script).RunAsync(context, CancellationToken.None);
        Assert.Equal(FilterOutcome.Ok, result.Outcome);
        Assert.EndsWith("X-Filtered: yes\n", File.ReadAllText(context.ContentPath()), StringComparison.Ordinal);
        Assert.EndsWith("X-Env: edited\n", File.ReadAllText(context.EnvelopePath()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signal_fails_the_message()
    {
        using var dir = new TestDirectory();
        var script = ProcessRunnerTests.Script(dir, "k.sh", "#!/bin/sh\necho '<<killed>>'\nkill -TERM $$\n");
        var result = await Filter(script).RunAsync(Context(dir, true), CancellationToken.None);
        Assert.Equal((FilterOutcome.Fail, "killed"), (result.Outcome, result.Response));
    }

    [Fact]
    public async Task A_timeout_is_error_timeout_with_no_code()
    {
        using var dir = new TestDirectory();
        var marker = Path.Combine(dir.Path, "started");
        var script = ProcessRunnerTests.Script(dir, "slow.sh", "#!/bin/sh\necho > '" + marker + "'\nsleep 30\n");
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var run = new ExecutableFilter("file:" + script, script, TimeSpan.FromMilliseconds(500), time).RunAsync(Context(dir, true), CancellationToken.None);
        // The fake clock passes the timeout once the program runs, however slowly this machine started it.
        await Poll.UntilAsync(() => File.Exists(marker), TimeSpan.FromSeconds(20), "the filter program to start");
        Assert.False(run.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(500));
        var result = await run;
        Assert.Equal(new FilterResult(FilterOutcome.Fail, false, "error", 0, "timeout"), result);
    }

    [Fact]
    public async Task A_program_that_cannot_be_executed_never_lets_mail_through()
    {
        using var dir = new TestDirectory();
        var notExecutable = Path.Combine(dir.Path, "plain.txt");
        File.WriteAllText(notExecutable, "#!/bin/sh\nexit 0\n");
        foreach (var path in new[] { Path.Combine(dir.Path, "missing"), notExecutable, dir.Path })
        {
            var result = await Filter(path).RunAsync(Context(dir, true), CancellationToken.None);
            Assert.Equal(FilterOutcome.Fail, result.Outcome);
            Assert.Equal("rejected", result.Response);
            Assert.StartsWith("filter exec error: ", result.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_factory_resolves_app_and_relative_paths()
    {
        var environment = new FilterEnvironment { AppDirectory = "/opt/er", StartupDirectory = "/home/u" };
        Assert.Equal("/opt/er/filter.sh", environment.ResolveProgram("@app/filter.sh"));
        Assert.Equal("/home/u/bin/f.sh", environment.ResolveProgram("bin/f.sh"));
        Assert.Equal("/abs/f", environment.ResolveProgram("/abs/f"));
        Assert.True(new FilterFactory(environment).TryCreate("file:@app/x.sh,rel.sh", out var filter, out var error), error);
        var chain = Assert.IsType<FilterChain>(filter);
        Assert.Equal(["/opt/er/x.sh", "/home/u/rel.sh"], chain.Members.Cast<ExecutableFilter>().Select(f => f.Path));
    }
}
