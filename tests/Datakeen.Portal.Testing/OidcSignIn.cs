using System.Net;
using System.Text.RegularExpressions;

namespace Datakeen.Portal.Testing;

// A signed-in HTTP client and where the portal sent it after the sign-in callback.
public sealed record SignedInClient(HttpClient Client, string LandingLocation) : IDisposable
{
    // The browser's cookie jar, for tests that copy a cookie elsewhere (replay).
    public CookieContainer Cookies { get; init; } = new();

    public void Dispose() => Client.Dispose();
}

// Signs in like a browser would: follows the real redirects to the provider, posts its real sign-in
// form (with its antiforgery token), and comes back through the portal's /signin-oidc callback.
public static partial class OidcSignIn
{
    private const int MaxRedirects = 10;

    // transport: the client's way to the portal when it is not a direct connection (a TLS front in front of
    // it, ProductionStack); it keeps the browser's cookies in the container it is given.
    public static async Task<SignedInClient> SignInAsync(Uri portal, string email, string password = "demo",
        string? returnUrl = "/", Func<CookieContainer, HttpMessageHandler>? transport = null)
    {
        var cookies = new CookieContainer();
        var client = new HttpClient(transport?.Invoke(cookies)
            ?? new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = portal };
        try
        {
            var loginUrl = "/authentication/login" + (returnUrl is null ? "" : "?returnUrl=" + Uri.EscapeDataString(returnUrl));
            var form = await FollowAsync(client, await client.GetAsync(loginUrl), stopAfterCallback: false);
            if (form.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"Expected the provider's sign-in form, got {(int)form.StatusCode} from {form.RequestMessage?.RequestUri}");
            }

            var posted = await SubmitFormAsync(client, form, email, password);
            var callback = await FollowAsync(client, posted, stopAfterCallback: true);
            var landing = callback.Headers.Location?.OriginalString
                ?? throw new InvalidOperationException($"The sign-in callback answered {(int)callback.StatusCode}, not a redirect");
            return new SignedInClient(client, landing) { Cookies = cookies };
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    // Posts the provider's sign-in form (shown in `form`) and returns its answer: a redirect back into the flow.
    public static async Task<HttpResponseMessage> SubmitFormAsync(HttpClient client, HttpResponseMessage form, string email,
        string password = "demo")
    {
        var html = await form.Content.ReadAsStringAsync();
        var fields = HiddenInput().Matches(html)
            .Select(m => KeyValuePair.Create(WebUtility.HtmlDecode(m.Groups["name"].Value), WebUtility.HtmlDecode(m.Groups["value"].Value)))
            .Append(KeyValuePair.Create("email", email))
            .Append(KeyValuePair.Create("password", password));
        var posted = await client.PostAsync(new Uri(form.RequestMessage!.RequestUri!, "/account/login"), new FormUrlEncodedContent(fields));
        if (posted.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"The provider refused the sign-in of {email}: {(int)posted.StatusCode}");
        }
        return posted;
    }

    // Follows redirects across the portal and the provider. With stopAfterCallback, returns the portal's
    // answer to /signin-oidc (its Location is where the user lands).
    public static async Task<HttpResponseMessage> FollowAsync(HttpClient client, HttpResponseMessage response,
        bool stopAfterCallback)
    {
        for (var i = 0; i < MaxRedirects; i++)
        {
            if (stopAfterCallback && response.RequestMessage?.RequestUri?.AbsolutePath == "/signin-oidc")
            {
                return response;
            }
            if ((int)response.StatusCode is < 300 or >= 400 || response.Headers.Location is null)
            {
                return response;
            }
            response = await client.GetAsync(new Uri(response.RequestMessage!.RequestUri!, response.Headers.Location));
        }
        throw new InvalidOperationException("Too many redirects");
    }

    [GeneratedRegex("""<input type="hidden" name="(?<name>[^"]+)" value="(?<value>[^"]*)">""")]
    private static partial Regex HiddenInput();
}
