using System.Text.RegularExpressions;
using Datakeen.Portal.Auditing;
using Datakeen.Portal.Testing;

namespace Datakeen.Portal.Tests.Auditing;

// The audit log's action filter offers AuditActions.All: every action the portal writes must be in it, once.
public sealed partial class AuditActionsTests
{
    [Fact]
    public void The_filter_offers_each_action_once_in_the_audit_log_s_own_spelling()
    {
        Assert.Equal(AuditActions.All.Count, AuditActions.All.Distinct().Count());
        Assert.All(AuditActions.All, action => Assert.Matches(ActionSpelling(), action));
        Assert.Equal(AuditActions.WorkspaceCreated, AuditActions.All[0]);
        Assert.Contains(AuditActions.KeyActivityExported, AuditActions.All);
    }

    [Fact]
    public void Every_action_the_source_writes_is_offered_by_the_filter()
    {
        var src = Path.Combine(RepositoryPaths.Root, "src", "Datakeen.Portal");
        var used = Directory.EnumerateFiles(src, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => UsedAction().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .Where(name => name != nameof(AuditActions.All))
            .Distinct()
            .ToList();

        Assert.NotEmpty(used);
        Assert.All(used, name =>
        {
            var field = typeof(AuditActions).GetField(name);
            Assert.NotNull(field);
            Assert.Contains((string)field.GetRawConstantValue()!, AuditActions.All);
        });
    }

    [GeneratedRegex(@"^[a-z]+(_[a-z]+)*\.[a-z]+(_[a-z]+)*$")]
    private static partial Regex ActionSpelling();

    [GeneratedRegex(@"\bAuditActions\.([A-Z][A-Za-z]+)\b")]
    private static partial Regex UsedAction();
}
