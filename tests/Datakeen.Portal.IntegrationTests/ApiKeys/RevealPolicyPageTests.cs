using System.Net;
using Datakeen.Portal.Testing;

namespace Datakeen.Portal.IntegrationTests.ApiKeys;

// The API & Docs page says what the configured reveal policy does, because the key views carry the
// server's capability flags: with the default policy a Production secret is "shown once", with
// ApiKeys:RevealPolicy:Production = Always the page stops saying so.
public sealed class RevealPolicyPageTests
{
    private const string ShownOnceNote = "Can be revealed or copied only once";

    public sealed class DefaultPolicy(PortalStack stack) : IClassFixture<PortalStack>
    {
        [Fact]
        public async Task The_page_says_a_production_secret_is_shown_once()
        {
            var page = await ApiPageAsync(stack);

            Assert.Contains(ShownOnceNote, page);
            Assert.Contains("Reveal production secret key", page);
        }
    }

    public sealed class AlwaysPolicy(AlwaysRevealStack stack) : IClassFixture<AlwaysRevealStack>
    {
        [Fact]
        public async Task The_page_stops_saying_shown_once_when_production_secrets_are_always_revealable()
        {
            var page = await ApiPageAsync(stack);

            Assert.DoesNotContain(ShownOnceNote, page);
            Assert.DoesNotContain("hown once", page);
            // Still the tab, with its reveal control: not an error or a sign-in page.
            Assert.Contains("Reveal production secret key", page);
        }
    }

    public sealed class AlwaysRevealStack : PortalStack
    {
        protected override IDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
        {
            ["ApiKeys:RevealPolicy:Production"] = "Always",
        };
    }

    // The prerendered page of an Admin: the tab with its key rows.
    private static async Task<string> ApiPageAsync(PortalStack stack)
    {
        using var admin = await stack.SignInAsync("admin@acme.test");
        using var response = await admin.Client.GetAsync("/w/acme/api");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("Your API keys", page);
        return page;
    }
}
