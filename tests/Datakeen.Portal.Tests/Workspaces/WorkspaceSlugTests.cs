using Datakeen.Portal.Workspaces;

namespace Datakeen.Portal.Tests.Workspaces;

public sealed class WorkspaceSlugTests
{
    [Theory]
    [InlineData("Acme", "acme")]
    [InlineData("Acme Corp.", "acme-corp")]
    [InlineData("  --Hello__World--  ", "hello-world")]
    [InlineData("Café Crème 2", "cafe-creme-2")]
    [InlineData("A & B / C", "a-b-c")]
    [InlineData("!!!", "workspace")]
    [InlineData("日本", "workspace")]
    public void A_slug_is_the_name_lower_cased_with_single_dashes(string name, string expected)
    {
        Assert.Equal(expected, WorkspaceSlug.From(name));
    }

    [Fact]
    public void A_long_name_gives_a_slug_short_enough_for_a_suffix()
    {
        var slug = WorkspaceSlug.From(string.Concat(Enumerable.Repeat("word ", 30)));

        Assert.True(slug.Length <= WorkspaceSlug.MaxBaseLength);
        Assert.False(slug.EndsWith('-'));
        Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", WorkspaceSlug.WithSuffix(slug, 12));
    }
}
