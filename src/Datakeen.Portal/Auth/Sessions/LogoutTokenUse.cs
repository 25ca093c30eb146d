namespace Datakeen.Portal.Auth.Sessions;

// A back-channel logout token that was accepted (issuer, jti), kept until it would have expired anyway: the
// replay cache of OpenID Connect Back-Channel Logout 1.0 §2.6, in the database every instance shares.
public sealed class LogoutTokenUse
{
    public required string Issuer { get; set; }
    public required string Jti { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}
