using Datakeen.Portal.Testing;
using static Microsoft.Playwright.Assertions;

namespace Datakeen.Portal.EndToEndTests.ApiDocs;

// The API & Docs tab as a user sees it, by the accessible names of the UI contract: one place for the names, so a
// test says what the user does ("reveal the test secret") and a renamed control is fixed once.
public sealed class ApiDocsTabPage(IPage page)
{
    public IPage Page => page;

    public EnvironmentCardPage Test => new(page, "test");

    public EnvironmentCardPage Production => new(page, "production");
}

public sealed class EnvironmentCardPage(IPage page, string environment)
{
    public ILocator Region => page.GetByRole(AriaRole.Region, new() { Name = $"{char.ToUpperInvariant(environment[0])}{environment[1..]} environment" });

    public KeyRowPage SecretKey => new(page, Region, environment, "secret");

    public KeyRowPage PublicKey => new(page, Region, environment, "public");

    public ILocator CreditMeter => Region.GetByRole(AriaRole.Progressbar, new() { Name = "Test credits remaining" });
}

public sealed class KeyRowPage(IPage page, ILocator card, string environment, string kind)
{
    private string Name => $"{environment} {kind} key";

    // The value as shown: masked, or the key itself once revealed.
    public ILocator Value => card.GetByTestId($"key-{environment}-{kind}");

    public ILocator RevealButton => card.GetByRole(AriaRole.Button, new() { Name = $"Reveal {Name}" });

    public ILocator HideButton => card.GetByRole(AriaRole.Button, new() { Name = $"Hide {Name}" });

    public ILocator CopyButton => card.GetByRole(AriaRole.Button, new() { Name = $"Copy {Name}" });

    public ILocator RotateButton => card.GetByRole(AriaRole.Button, new() { Name = $"Rotate {Name}" });

    public ILocator RotateDialog => page.GetByRole(AriaRole.Dialog, new() { Name = $"Rotate {Name}?" });

    // Clicks the eye and returns the key once the row shows it.
    public async Task<string> RevealAsync()
    {
        await RevealButton.ClickAsync();
        await Expect(Value).ToHaveTextAsync(KeyPatterns.WholeKey);
        return (await Value.TextContentAsync())!.Trim();
    }

    // Opens the rotation dialog (the caller may look at it before confirming).
    public async Task<ILocator> OpenRotationAsync()
    {
        await RotateButton.ClickAsync();
        await Expect(RotateDialog).ToBeVisibleAsync();
        return RotateDialog;
    }

    // Confirms the open rotation dialog and returns the new key it shows once.
    public async Task<string> ConfirmRotationAsync()
    {
        await RotateDialog.GetByRole(AriaRole.Button, new() { Name = "Rotate key" }).ClickAsync();
        var rotated = RotateDialog.GetByTestId("rotated-key");
        await Expect(rotated).ToHaveTextAsync(KeyPatterns.WholeKey);
        return (await rotated.TextContentAsync())!.Trim();
    }
}
