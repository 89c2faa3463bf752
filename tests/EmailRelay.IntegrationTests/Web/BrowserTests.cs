using System.Diagnostics;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace EmailRelay.IntegrationTests.Web;

/// <summary>
/// The dashboard in a real headless Chromium (Debian's <c>chromium</c> and <c>chromium-driver</c>, driven by
/// Selenium), against the real executable. Set <c>EMAILRELAY_SCREENSHOTS</c> to a directory to save the overview and
/// message pages there (the README's pictures under docs/ come from it).
/// </summary>
public sealed class BrowserTests
{
    private const string Chromium = "/usr/bin/chromium";
    private const string DriverPath = "/usr/bin/chromedriver";
    private const string Hostile = "<script>document.title='pwned'</script>\"><img src=x onerror=\"document.title='pwned'\">";

    [SkippableFact]
    public async Task SignInShowsTheCountsOfTenThousandQueuedMessages()
    {
        await using var relay = await WebRelay.StartAsync(prepare: spool =>
        {
            for (int i = 1; i <= 10_000; i++)
            {
                WebRelay.AddMessage(spool, i, failed: i % 1000 == 0, from: "sender" + (i % 7) + "@example.com", to: "rcpt" + i + "@example.net");
            }
        });
        using var browser = Browser.Start();
        SignIn(browser.Driver, relay, "admin", WebRelay.AdminPassword);
        var wait = browser.Wait(Waiting.DefaultTimeout);
        wait.Until(d => d.FindElement(By.Id("queued")).Text == "9990");
        Assert.Equal("10", browser.Driver.FindElement(By.Id("failed")).Text);
        Assert.Equal("admin", browser.Driver.FindElement(By.Id("account")).Text);
        wait.Until(d => d.FindElement(By.Id("live")).Text == "live");
        browser.Screenshot("overview.png");
        browser.Driver.Navigate().GoToUrl(new Uri(relay.BaseAddress, "queue?state=failed"));
        wait.Until(d => d.FindElement(By.Id("total")).Text == "10");
        Assert.Equal(10, browser.Driver.FindElements(By.CssSelector("#rows tr")).Count);
    }

    [SkippableFact]
    public async Task RetryingAFailedMessageTakesItOutOfBadAndDeletingOneRemovesItsFiles()
    {
        string failed = "", ready = "";
        await using var relay = await WebRelay.StartAsync(prepare: spool =>
        {
            failed = WebRelay.AddMessage(spool, 1, failed: true);
            ready = WebRelay.AddMessage(spool, 2);
        });
        using var browser = Browser.Start();
        SignIn(browser.Driver, relay, "admin", WebRelay.AdminPassword);
        var wait = browser.Wait(Waiting.DefaultTimeout);
        browser.Driver.Navigate().GoToUrl(new Uri(relay.BaseAddress, "queue?state=failed"));
        var row = wait.Until(d => d.FindElement(By.CssSelector("#rows tr[data-id='" + failed + "']")));
        row.FindElement(By.CssSelector("button.retry")).Click();
        await Waiting.UntilAsync(() => !File.Exists(Path.Combine(relay.Spool, failed + ".envelope.bad")) && File.Exists(Path.Combine(relay.Spool, failed + ".envelope")), "the message to leave .bad");
        wait.Until(d => d.FindElement(By.Id("notice")).Text.Contains("retried", StringComparison.Ordinal));

        browser.Driver.Navigate().GoToUrl(new Uri(relay.BaseAddress, "message?id=" + ready));
        wait.Until(d => d.FindElement(By.Id("envelope")).Text.Contains("c@d", StringComparison.Ordinal));
        browser.Driver.FindElement(By.Id("delete")).Click();
        wait.Until(d => d.SwitchTo().Alert()).Accept();
        await Waiting.UntilAsync(() => System.IO.Directory.GetFiles(relay.Spool, ready + "*").Length == 0, "the deleted message's files to go");
    }

    [SkippableFact]
    public async Task AMessageSentWithSwaksAppearsWithinTwoSecondsWithoutAReload()
    {
        await using var relay = await WebRelay.StartAsync();
        using var browser = Browser.Start();
        SignIn(browser.Driver, relay, "viewer", WebRelay.ViewerPassword);
        browser.Driver.Navigate().GoToUrl(new Uri(relay.BaseAddress, "queue"));
        var wait = browser.Wait(Waiting.DefaultTimeout);
        wait.Until(d => d.FindElement(By.Id("total")).Text == "0");
        browser.Driver.ExecuteScript("window.__notReloaded = true;");
        var sent = await Swaks.SendAsync(relay.SmtpPort, "swaks@example.com", "someone@example.net");
        Assert.Equal(0, sent.ExitCode);
        var stopwatch = Stopwatch.StartNew();
        browser.Wait(TimeSpan.FromSeconds(2)).Until(d => d.FindElements(By.CssSelector("#rows tr")).Count == 1);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(2));
        Assert.Contains("swaks@example.com", browser.Driver.FindElement(By.Id("rows")).Text, StringComparison.Ordinal);
        Assert.Equal(true, browser.Driver.ExecuteScript("return window.__notReloaded === true;"));
    }

    [SkippableFact]
    public async Task ReadOnlyActionsAreRefusedByTheServerNotOnlyHidden()
    {
        string failed = "";
        await using var relay = await WebRelay.StartAsync(prepare: spool => failed = WebRelay.AddMessage(spool, 1, failed: true));
        using var browser = Browser.Start();
        SignIn(browser.Driver, relay, "viewer", WebRelay.ViewerPassword);
        browser.Driver.Navigate().GoToUrl(new Uri(relay.BaseAddress, "queue?state=failed"));
        var wait = browser.Wait(Waiting.DefaultTimeout);
        var row = wait.Until(d => d.FindElement(By.CssSelector("#rows tr[data-id='" + failed + "']")));
        Assert.False(row.FindElement(By.CssSelector("button.retry")).Displayed);
        // The page's own request, with the session cookie and the CSRF token, as a user who unhides the button would send it.
        var status = browser.Driver.ExecuteAsyncScript(
            "const done = arguments[arguments.length - 1];" +
            "fetch('/api/v1/session').then(r => r.json()).then(s => fetch('/api/v1/messages/" + failed + "/retry', { method: 'POST', headers: { 'X-CSRF-Token': s.csrf } }))" +
            ".then(r => done(r.status)).catch(e => done(String(e)));");
        Assert.Equal(403L, status);
        Assert.True(File.Exists(Path.Combine(relay.Spool, failed + ".envelope.bad")));
    }

    [SkippableFact]
    public async Task HostileSubjectFromAndBodyAreShownAsTextAndNoScriptRuns()
    {
        string word = "=?UTF-8?B?" + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Hostile + " " + new string('\u00e9', 200))) + "?=";
        string id = "";
        await using var relay = await WebRelay.StartAsync(prepare: spool => id = WebRelay.AddMessage(spool, 1, from: "x@example.com",
            content: "Subject: " + word + "\r\nFrom: " + Hostile + " <x@example.com>\r\nTo: <you@example.net>\r\n\r\n" + Hostile + "\r\nSecond line of the body.\r\n"));
        using var browser = Browser.Start();
        SignIn(browser.Driver, relay, "admin", WebRelay.AdminPassword);
        browser.Driver.Navigate().GoToUrl(new Uri(relay.BaseAddress, "message?id=" + id));
        var wait = browser.Wait(Waiting.DefaultTimeout);
        wait.Until(d => d.FindElement(By.Id("body")).Text.Contains("Second line", StringComparison.Ordinal));
        var js = browser.Driver;
        Assert.Equal("Message - E-MailRelay", browser.Driver.Title);
        Assert.Equal(0L, js.ExecuteScript("return document.querySelectorAll('img').length;"));
        Assert.Equal(1L, js.ExecuteScript("return document.querySelectorAll('script').length;")); // app.js only
        string headers = browser.Driver.FindElement(By.Id("headers")).Text;
        Assert.Contains(Hostile + " " + new string('\u00e9', 200), headers, StringComparison.Ordinal);
        Assert.StartsWith(Hostile, browser.Driver.FindElement(By.Id("body")).Text, StringComparison.Ordinal);
        browser.Screenshot("message.png");
        browser.Driver.Navigate().GoToUrl(new Uri(relay.BaseAddress, "queue"));
        wait.Until(d => d.FindElements(By.CssSelector("#rows tr")).Count == 1);
        Assert.Equal("Queue - E-MailRelay", browser.Driver.Title);
        Assert.Equal(0L, js.ExecuteScript("return document.querySelectorAll('img').length;"));
    }

    private static void SignIn(ChromeDriver driver, WebRelay relay, string user, string password)
    {
        driver.Navigate().GoToUrl(new Uri(relay.BaseAddress, "queue"));
        var wait = new WebDriverWait(driver, Waiting.DefaultTimeout);
        wait.Until(d => d.Url.EndsWith("/login", StringComparison.Ordinal));
        driver.FindElement(By.Id("user")).SendKeys(user);
        driver.FindElement(By.Id("password")).SendKeys(password);
        driver.FindElement(By.Id("sign-in")).Click();
        wait.Until(d => d.FindElement(By.Id("account")).Text == user);
    }

    /// <summary>A headless Chromium with its own profile directory.</summary>
    private sealed class Browser : IDisposable
    {
        private readonly TestDirectory _profile;

        private Browser(ChromeDriver driver, TestDirectory profile)
        {
            Driver = driver;
            _profile = profile;
        }

        public ChromeDriver Driver { get; }

        public static Browser Start()
        {
            Skip.IfNot(File.Exists(Chromium) && File.Exists(DriverPath), "headless Chromium needs " + Chromium + " and " + DriverPath + " (Debian packages chromium, chromium-driver; .ci/run installs them)");
            var profile = new TestDirectory();
            var options = new ChromeOptions { BinaryLocation = Chromium };
            options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000", "--user-data-dir=" + profile.Path, "--no-first-run");
            var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(DriverPath)!, Path.GetFileName(DriverPath));
            service.HideCommandPromptWindow = true;
            service.SuppressInitialDiagnosticInformation = true;
            return new Browser(new ChromeDriver(service, options, TimeSpan.FromSeconds(60)), profile);
        }

        public WebDriverWait Wait(TimeSpan timeout) => new(Driver, timeout) { PollingInterval = TimeSpan.FromMilliseconds(50) };

        /// <summary>Saves a screenshot into <c>EMAILRELAY_SCREENSHOTS</c> when it is set.</summary>
        public void Screenshot(string name)
        {
            if (Environment.GetEnvironmentVariable("EMAILRELAY_SCREENSHOTS") is { Length: > 0 } directory)
            {
                System.IO.Directory.CreateDirectory(directory);
                Driver.GetScreenshot().SaveAsFile(Path.Combine(directory, name));
            }
        }

        public void Dispose()
        {
            Driver.Quit();
            Driver.Dispose();
            _profile.Dispose();
        }
    }
}
