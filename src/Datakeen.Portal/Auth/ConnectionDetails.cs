using Datakeen.Portal.Infrastructure;

namespace Datakeen.Portal.Auth;

// Where a request came from, as recorded in audit events.
public sealed record ConnectionDetails(string? IpAddress, string? UserAgent)
{
    // The user_sessions column; the audit log cuts to its own.
    private const int MaxUserAgentLength = 512;

    public static ConnectionDetails From(HttpContext http)
    {
        // Sanitized after cutting: the cut may split a surrogate pair.
        var userAgent = http.Request.Headers.UserAgent.ToString();
        return new ConnectionDetails(
            http.Connection.RemoteIpAddress?.ToString(),
            string.IsNullOrEmpty(userAgent) ? null : StorableText.Sanitize(TextColumns.Fit(userAgent, MaxUserAgentLength)));
    }
}
