namespace Datakeen.Portal.Auditing;

public static class AuditActions
{
    public const string WorkspaceCreated = "workspace.created";
    public const string MemberAdded = "member.added";
    public const string MemberRoleChanged = "member.role_changed";
    public const string MemberRemoved = "member.removed";
    public const string InvitationAccepted = "invitation.accepted";
    public const string InvitationDeclined = "invitation.declined";
    public const string KeyRevealed = "key.revealed";
    public const string KeyCopied = "key.copied";
    public const string KeyRotated = "key.rotated";
    public const string AuthorizationFailed = "authorization.failed";
    public const string CreditsGranted = "credits.granted";
    public const string KeyLeakReported = "key.leak_reported";
    public const string KeyGraceEnded = "key.grace_ended";
    public const string KeyOriginsChanged = "key.origins_changed";
    public const string KeyActivityExported = "key.activity_exported";

    // The actions the audit log's filter offers.
    public static IReadOnlyList<string> All { get; } =
    [
        WorkspaceCreated, MemberAdded, MemberRoleChanged, MemberRemoved, InvitationAccepted, InvitationDeclined,
        KeyRevealed, KeyCopied, KeyRotated, AuthorizationFailed, CreditsGranted, KeyLeakReported, KeyGraceEnded, KeyOriginsChanged,
        KeyActivityExported,
    ];
}
