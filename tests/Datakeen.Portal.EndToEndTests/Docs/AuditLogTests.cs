using System.Text.RegularExpressions;
using Datakeen.Portal.Auditing;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace Datakeen.Portal.EndToEndTests.Docs;

// The audit log as an Admin uses it: 500 events paged through with the page's own buttons, a filtered CSV export,
// and no serious accessibility finding in either theme.
[Collection(PortalCollection.Name)]
public sealed class AuditLogTests(PortalEnvironment portal)
{
    [Fact]
    public async Task The_audit_log_pages_through_500_events_and_exports_a_filtered_csv()
    {
        var page = await portal.NewPageAsync();
        var slug = await CreateWorkspaceAsync(page, "Audit " + Guid.NewGuid().ToString("N")[..6]);
        var total = await AddEventsAsync(slug, 500);

        await page.GotoAsync($"/w/{slug}/audit");
        // The page's controls work once the circuit is connected (they are disabled until then).
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Export CSV" })).ToBeEnabledAsync();
        var rows = page.GetByRole(AriaRole.Table).Locator("tbody tr");
        var older = page.GetByRole(AriaRole.Button, new() { Name = "Older events" });
        var seen = new HashSet<string>();
        var pages = 0;
        while (true)
        {
            await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = $"Events {pages * 50 + 1}–" })).ToBeVisibleAsync();
            foreach (var target in await rows.Locator("td[data-label='Target']").AllTextContentsAsync())
            {
                seen.Add(target);
            }

            pages++;
            if (await older.IsDisabledAsync())
            {
                break;
            }

            var first = await rows.First.Locator("td[data-label='Target']").TextContentAsync();
            await older.ClickAsync();
            await Expect(rows.First.Locator("td[data-label='Target']")).Not.ToHaveTextAsync(first ?? "");
        }

        Assert.Equal((int)Math.Ceiling(total / 50.0), pages);
        // Times are relative; the page's script gives each its full timestamp in the browser's own time zone.
        var when = rows.First.Locator("time[data-dk-time]");
        await Expect(when).ToHaveAttributeAsync("data-dk-full", new Regex("\\d{4}"));
        Assert.Equal(await when.GetAttributeAsync("data-dk-full"), await when.GetAttributeAsync("title"));
        Assert.All(Enumerable.Range(0, 500), i => Assert.Contains($"event-{i:D3}", seen));

        await page.GetByRole(AriaRole.Textbox, new() { Name = "Person" }).FillAsync("Ada Auditor");
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Events 1–50, older ones" })).ToBeVisibleAsync();
        await Screenshots.TakeAsync(page, "audit-log-filtered");
        var download = await page.RunAndWaitForDownloadAsync(() =>
            page.GetByRole(AriaRole.Button, new() { Name = "Export CSV" }).ClickAsync());
        var file = await download.PathAsync();
        var lines = (await File.ReadAllTextAsync(file)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.EndsWith(".csv", download.SuggestedFilename);
        Assert.Equal(AuditCsv.Header, lines[0]);
        Assert.Equal(100, lines.Length - 1);
        Assert.All(lines.Skip(1), line => Assert.Contains(",Ada Auditor,", line));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_audit_log_has_no_serious_accessibility_violations_in_light_and_dark_themes()
    {
        var page = await portal.NewPageAsync();
        var slug = await CreateWorkspaceAsync(page, "Axe audit " + Guid.NewGuid().ToString("N")[..6]);
        await AddEventsAsync(slug, 60);
        await page.GotoAsync($"/w/{slug}/audit");
        await Expect(page.GetByRole(AriaRole.Table)).ToBeVisibleAsync();

        var violations = await PageChecks.ViolationsInBothThemesAsync(page, "audit-log");

        Assert.True(violations.Count == 0, string.Join("\n", violations));
        await page.Context.CloseAsync();
    }

    // A workspace of the demo Admin of Acme, created through the page as a person does; its slug.
    private async Task<string> CreateWorkspaceAsync(IPage page, string name)
    {
        await portal.SignInAsync(page, "admin@acme.test", path: "/workspaces/new");
        await page.GetByLabel("Workspace name").FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create workspace" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/w/[a-z0-9-]+/api$"));
        return new Uri(page.Url).Segments[2].TrimEnd('/');
    }

    // `count` events, one in five by "Ada Auditor", each a minute apart; returns how many events the workspace has.
    private async Task<int> AddEventsAsync(string slug, int count)
    {
        await using var db = portal.CreateDbContext();
        var workspace = await db.Set<Workspace>().SingleAsync(w => w.Slug == slug);
        var audit = portal.Portal.Services.GetRequiredService<AuditLog>();
        var start = DateTimeOffset.UtcNow.AddMinutes(-count - 1);
        for (var i = 0; i < count; i++)
        {
            var added = audit.Add(db, i % 5 == 0 ? AuditActions.KeyRotated : AuditActions.KeyCopied, null, workspace.Id,
                $"event-{i:D3}", actorDescription: i % 5 == 0 ? "Ada Auditor" : "Operator");
            added.OccurredAt = start.AddMinutes(i);
        }

        await db.SaveChangesAsync();
        return await db.AuditEvents.CountAsync(e => e.WorkspaceId == workspace.Id);
    }
}
