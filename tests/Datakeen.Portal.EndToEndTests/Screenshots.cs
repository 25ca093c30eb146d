namespace Datakeen.Portal.EndToEndTests;

// Screenshots for people to look at: written under the test output (screenshots/), or to
// DATAKEEN_SCREENSHOTS when set.
public static class Screenshots
{
    public static Task TakeAsync(IPage page, string name)
    {
        var directory = Environment.GetEnvironmentVariable("DATAKEEN_SCREENSHOTS")
            ?? Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(directory);
        return page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(directory, name + ".png"), FullPage = true });
    }
}
