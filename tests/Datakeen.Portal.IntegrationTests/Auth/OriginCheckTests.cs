using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Datakeen.Portal.Testing;

namespace Datakeen.Portal.IntegrationTests.Auth;

// The Blazor hub and the pages' state-changing endpoints refuse a foreign Origin (403), so a page on another
// site, or on the same site (a sibling subdomain, another port of localhost), cannot drive a signed-in
// user's circuit. The portal's own origin passes.
public sealed class OriginCheckTests(PortalStack stack) : IClassFixture<PortalStack>
{
    private const string Foreign = "http://evil.example";
    private const string SiblingPort = "http://127.0.0.1:1"; // same site as the portal: another port of the loopback

    private string Own => stack.PortalAddress.GetLeftPart(UriPartial.Authority);

    [Theory]
    [InlineData(Foreign)]
    [InlineData(SiblingPort)]
    [InlineData("null")]
    public async Task Negotiate_on_the_hub_with_a_foreign_origin_is_refused(string origin)
    {
        using var signedIn = await stack.SignInAsync("admin@acme.test");

        using var negotiate = await NegotiateAsync(signedIn.Client, origin);

        Assert.Equal(HttpStatusCode.Forbidden, negotiate.StatusCode);
    }

    [Fact]
    public async Task A_websocket_upgrade_of_the_hub_with_a_foreign_origin_is_refused_and_with_the_portals_origin_accepted()
    {
        using var signedIn = await stack.SignInAsync("admin@acme.test");
        var cookies = signedIn.Cookies.GetCookieHeader(stack.PortalAddress);
        using var negotiate = await NegotiateAsync(signedIn.Client, Own);
        Assert.Equal(HttpStatusCode.OK, negotiate.StatusCode);
        var token = (await negotiate.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("connectionToken").GetString();
        var hub = new UriBuilder(stack.PortalAddress) { Scheme = "ws", Path = "/_blazor", Query = "id=" + token }.Uri;

        using var foreign = Socket(cookies, Foreign);
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => foreign.ConnectAsync(hub, CancellationToken.None));
        using var own = Socket(cookies, Own);
        await own.ConnectAsync(hub, CancellationToken.None);

        Assert.Equal(HttpStatusCode.Forbidden, foreign.HttpStatusCode);
        Assert.Equal(WebSocketState.Open, own.State);
        Assert.Equal(HttpStatusCode.SwitchingProtocols, own.HttpStatusCode);
        await own.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        Assert.NotNull(refused);
    }

    [Fact]
    public async Task A_cookie_authenticated_post_with_a_foreign_origin_is_refused_and_pages_still_load()
    {
        using var signedIn = await stack.SignInAsync("member@acme.test");

        using var signOut = new HttpRequestMessage(HttpMethod.Post, "/authentication/logout")
        {
            Content = new FormUrlEncodedContent([KeyValuePair.Create("returnUrl", "/")]),
        };
        signOut.Headers.Add("Origin", Foreign);
        using var refused = await signedIn.Client.SendAsync(signOut);
        using var page = new HttpRequestMessage(HttpMethod.Get, "/w/acme/api");
        page.Headers.Add("Origin", Foreign);
        using var loaded = await signedIn.Client.SendAsync(page);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, loaded.StatusCode);
    }

    [Theory]
    [InlineData("null", "cross-site", HttpStatusCode.Forbidden)]
    [InlineData("null", "same-site", HttpStatusCode.Forbidden)]
    [InlineData(null, "cross-site", HttpStatusCode.Forbidden)]
    // Chromium's own form posts under the portal's Referrer-Policy no-referrer: Origin null, same-origin.
    [InlineData("null", "same-origin", HttpStatusCode.BadRequest)]
    public async Task A_post_whose_origin_the_browser_withholds_is_judged_by_sec_fetch_site(string? origin, string fetchSite,
        HttpStatusCode expected)
    {
        using var signedIn = await stack.SignInAsync("member@acme.test");
        using var signOut = new HttpRequestMessage(HttpMethod.Post, "/authentication/logout")
        {
            Content = new FormUrlEncodedContent([KeyValuePair.Create("returnUrl", "/")]),
        };
        if (origin is not null)
        {
            signOut.Headers.Add("Origin", origin);
        }
        signOut.Headers.Add("Sec-Fetch-Site", fetchSite);

        // Past the origin check, the missing antiforgery token is what stops this one (400).
        using var response = await signedIn.Client.SendAsync(signOut);

        Assert.Equal(expected, response.StatusCode);
    }

    private static async Task<HttpResponseMessage> NegotiateAsync(HttpClient client, string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1");
        request.Headers.Add("Origin", origin);
        return await client.SendAsync(request);
    }

    private static ClientWebSocket Socket(string cookies, string origin)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Cookie", cookies);
        socket.Options.SetRequestHeader("Origin", origin);
        return socket;
    }
}
