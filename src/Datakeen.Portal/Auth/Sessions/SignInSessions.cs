using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.Auth.Sessions;

// A completed sign-in always starts a new session (docs/security.md, session fixation). The cookie handler
// would renew the session named by a cookie present at sign-in (ITicketStore.RenewAsync, same id), so before it
// runs, that session is revoked, whoever it belongs to, and its cookie is taken out of the request: the handler
// then stores a new session under a new random id. A copy of the old cookie is worth nothing afterwards.
public static class SignInSessions
{
    // The claim in which the cookie handler keeps the ticket store's key (CookieAuthenticationHandler).
    private const string SessionKeyClaim = "Microsoft.AspNetCore.Authentication.Cookies-SessionId";

    public static async Task EndPresentSessionAsync(TicketReceivedContext context)
    {
        var http = context.HttpContext;
        var cookie = http.RequestServices.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>()
            .Get(AuthServiceCollectionExtensions.CookieScheme);
        var name = cookie.Cookie.Name!;
        var value = cookie.CookieManager.GetRequestCookie(http, name);
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        var key = cookie.TicketDataFormat.Unprotect(value)?.Principal.FindFirst(SessionKeyClaim)?.Value;
        if (Guid.TryParseExact(key, "N", out var sessionId))
        {
            await http.RequestServices.GetRequiredService<UserSessions>().RevokeAsync(sessionId, http.RequestAborted);
        }

        http.Request.Headers.Cookie = string.Join("; ", http.Request.Headers.Cookie
            .SelectMany(header => (header ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Where(pair => !IsSessionCookie(pair, name)));
    }

    // The cookie itself and its chunks (name, nameC1, nameC2, … of the chunking cookie manager).
    private static bool IsSessionCookie(string pair, string name)
    {
        var cookieName = pair.Split('=', 2)[0].Trim();
        return string.Equals(cookieName, name, StringComparison.Ordinal) ||
               (cookieName.StartsWith(name + "C", StringComparison.Ordinal) &&
                int.TryParse(cookieName.AsSpan(name.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out _));
    }
}
