using System.Net;

namespace Datakeen.Portal.IntegrationTests.Production;

// A browser behind the TLS front of a deployment: it sees https://<public host>/...; the front passes each
// request on over plain http to the portal with the public Host, X-Forwarded-Proto: https and the browser's
// address in X-Forwarded-For (as nginx does, from a known proxy). Cookies are kept for the public https URL,
// so Secure cookies come back as a browser would send them. Requests to any other host (the provider) go out
// unchanged.
public sealed class TlsFront(Uri publicBase, Uri portal, CookieContainer cookies, string clientAddress) : DelegatingHandler(
    new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false })
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var seen = request.RequestUri!;
        var cookieHeader = cookies.GetCookieHeader(seen);
        request.Headers.Remove("Cookie");
        if (cookieHeader.Length > 0)
        {
            request.Headers.TryAddWithoutValidation("Cookie", cookieHeader);
        }

        var throughFront = seen.Scheme == Uri.UriSchemeHttps && seen.Authority == publicBase.Authority;
        if (throughFront)
        {
            request.RequestUri = new Uri(portal, seen.PathAndQuery);
            request.Headers.Host = publicBase.Authority;
            request.Headers.Remove("X-Forwarded-Proto");
            request.Headers.Remove("X-Forwarded-For");
            request.Headers.Add("X-Forwarded-Proto", "https");
            request.Headers.Add("X-Forwarded-For", clientAddress);
        }

        var response = await base.SendAsync(request, cancellationToken);
        request.RequestUri = seen;
        if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
        {
            foreach (var setCookie in setCookies)
            {
                cookies.SetCookies(seen, setCookie);
            }
        }
        return response;
    }
}
