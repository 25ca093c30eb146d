
namespace Datakeen.Portal.Auth.Sessions;

// A signed-in browser session, kept on the server: the cookie carries only its id. The ticket (claims and
// the provider's tokens) is stored encrypted with Data Protection. Revoked sessions stay as history.
public sealed class UserSession
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public required byte[] Ticket { get; set; }

    // The provider's session (OpenID Connect `sid` and issuer), for back-channel and front-channel logout.
    public string? ProviderSessionId { get; set; }
    public string? Issuer { get; set; }

    // When the person last entered their credentials at the provider (`auth_time`): step-up checks it.
    public DateTimeOffset AuthenticatedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public string? IpAddress { get; set; }
    public string? UserAgent { get; set; }

    public PortalUser? User { get; set; }
}
