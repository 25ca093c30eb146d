using Datakeen.Portal.Auth;

namespace Datakeen.Portal.ApiKeys;

// Why a key is rotated, and so who the audit record and the admins' mail name. A person is an Actor with a
// live session; the portal itself (a leak report) and Datakeen support (the rotate-key verb) are not people
// of the workspace and say so explicitly.
public abstract record RotationCause(string Name)
{
    // An Admin of the workspace, from the tab's rotation dialog.
    public sealed record ByAdmin(Actor Actor) : RotationCause("admin");

    // GitHub secret scanning found the key in public (SecretScanning/LeakResponder.cs).
    public sealed record LeakReport(string Url) : RotationCause("leak_report")
    {
        public const string ActorDescription = "GitHub secret scanning";
    }

    // Datakeen support, on the workspace's request (Operator/RotateKeyVerb.cs).
    public sealed record BySupport(string OperatorName, string Reason) : RotationCause("support");
}
