using static Microsoft.Playwright.Assertions;

namespace Datakeen.Portal.EndToEndTests.Auth;

// The Content-Security-Policy really blocks inline script in a browser, not only in the header's text.
[Collection(PortalCollection.Name)]
public sealed class ContentSecurityPolicyTests(PortalEnvironment portal)
{
    [Fact]
    public async Task An_injected_inline_script_does_not_run_and_is_reported_as_a_violation()
    {
        var page = await portal.NewPageAsync();
        await portal.SignInAsync(page, "admin@acme.test", path: "/w/acme/api");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "API & Docs", Level = 1 })).ToBeVisibleAsync();

        // Injected the way an XSS would (a new inline <script> element); the test's own evaluation is not
        // subject to the page's policy, the element it adds is.
        var outcome = await page.EvaluateAsync<string>("""
            () => new Promise(resolve => {
              document.addEventListener('securitypolicyviolation',
                e => resolve(`blocked:${e.effectiveDirective}`), { once: true });
              const script = document.createElement('script');
              script.textContent = 'window.__datakeenInjected = true;';
              document.body.appendChild(script);
              setTimeout(() => resolve(window.__datakeenInjected === true ? 'ran' : 'not run, no report'), 5000);
            })
            """);

        Assert.StartsWith("blocked:script-src", outcome);
        Assert.False(await page.EvaluateAsync<bool>("() => window.__datakeenInjected === true"));
        await page.Context.CloseAsync();
    }
}
