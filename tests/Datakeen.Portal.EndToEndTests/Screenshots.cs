namespace Datakeen.Portal.EndToEndTests;

// Screenshots for people to look at: written under the test output (screenshots/), or to
// DATAKEEN_SCREENSHOTS when set.
public static class Screenshots
{
    // mask: elements painted over (e.g. a revealed key), so no key material ends up in a committed picture.
    public static Task TakeAsync(IPage page, string name, params ILocator[] mask)
    {
        var directory = Environment.GetEnvironmentVariable("DATAKEEN_SCREENSHOTS")
            ?? Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(directory);
        return page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(directory, name + ".png"), FullPage = true, Mask = mask });
    }
}
