namespace Datakeen.Portal.Auth;

// A person as asserted by the OpenID Connect provider, keyed by (issuer, subject).
public sealed class PortalUser
{
    public Guid Id { get; set; }
    public required string Issuer { get; set; }
    public required string Subject { get; set; }
    public string? Email { get; set; }
    public bool EmailVerified { get; set; }
    public string? DisplayName { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset LastSignInAt { get; set; }

    // Admins may mute notices (credits low or out); security mail is always sent.
    public bool MuteNonSecurityMail { get; set; }
    // Where `/` takes this user: the workspace they opened last.
    public Guid? LastWorkspaceId { get; set; }
}
