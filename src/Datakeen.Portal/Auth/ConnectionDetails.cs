namespace Datakeen.Portal.Auth;

// Where a request came from, as recorded in audit events.
public sealed record ConnectionDetails(string? IpAddress, string? UserAgent)
{
    public static ConnectionDetails From(HttpContext http)
    {
        var userAgent = http.Request.Headers.UserAgent.ToString();
        return new ConnectionDetails(
            http.Connection.RemoteIpAddress?.ToString(),
            // The audit log cuts it to its column.
            string.IsNullOrEmpty(userAgent) ? null : userAgent);
    }
}
