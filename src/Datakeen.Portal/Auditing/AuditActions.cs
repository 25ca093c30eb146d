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

    // The actions the audit log's filter offers: every action above, in declaration order. Read from the constants
    // themselves, so a new action cannot be missing from the filter.
    public static IReadOnlyList<string> All { get; } = typeof(AuditActions)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();
}
