using System.Net;
using System.Text.RegularExpressions;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Components.Pages.ApiDocs;

namespace Datakeen.Portal.Tests.Components.ApiDocs;

public sealed class CodeSampleTemplatesTests
{
    private static readonly EnvironmentBaseUrls Urls = new()
    {
        JourneyApi = "https://journey.example/backend",
        DocumentsApi = "https://documents.example/api",
    };

    public static TheoryData<string> Languages => [.. CodeSampleTemplates.Languages];

    [Theory]
    [MemberData(nameof(Languages))]
    public void Every_sample_reads_the_key_from_DATAKEEN_SECRET_KEY_and_holds_no_key(string language)
    {
        foreach (var environment in new[] { KeyEnvironment.Test, KeyEnvironment.Production })
        {
            var samples = CodeSampleTemplates.For(language, environment, "https://portal.example/", Urls);

            Assert.Equal([CodeSampleKind.FirstCall, CodeSampleKind.MeteredCall], samples.Select(s => s.Kind));
            Assert.All(samples, sample =>
            {
                Assert.Contains("DATAKEEN_SECRET_KEY", sample.Code);
                Assert.Contains("Bearer", sample.Code);
                Assert.Contains(environment == KeyEnvironment.Test ? "dk_test_sk_" : "dk_live_sk_", sample.Code);
                Assert.DoesNotMatch("dk_(test|live)_(pk|sk)_[0-9A-Za-z]{38}", sample.Code);
                Assert.DoesNotContain("{{", sample.Code);
            });
        }
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void The_first_call_asks_whoami_and_names_the_Journey_and_Documents_API_of_the_environment(string language)
    {
        var first = CodeSampleTemplates.Sample(language, CodeSampleKind.FirstCall, KeyEnvironment.Test, "https://portal.example/", Urls);

        Assert.Contains("https://portal.example/api/v1/whoami", first.Code);
        Assert.Contains(Urls.JourneyApi, first.Code);
        Assert.Contains(Urls.DocumentsApi, first.Code);
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void The_metered_call_consumes_with_an_idempotency_key_retries_after_429_and_503_and_stops_on_402(string language)
    {
        var metered = CodeSampleTemplates.Sample(language, CodeSampleKind.MeteredCall, KeyEnvironment.Test, "https://portal.example", Urls);

        Assert.Contains("https://portal.example/api/v1/credits/consume", metered.Code);
        Assert.Contains("Idempotency-Key", metered.Code);
        Assert.Contains("Retry", metered.Code);
        Assert.Contains("insufficient_credits", metered.Code);
        foreach (var status in new[] { "402", "429", "503" })
        {
            Assert.True(metered.Code.Contains(status, StringComparison.Ordinal) || language == "C#", $"{language} handles {status}");
        }
    }

    [Fact]
    public void An_environment_without_base_urls_says_so_instead_of_an_empty_address()
    {
        var first = CodeSampleTemplates.Sample("Node", CodeSampleKind.FirstCall, KeyEnvironment.Test, "https://portal.example", new EnvironmentBaseUrls());

        Assert.Contains("(not configured for this environment)", first.Code);
    }

    [Fact]
    public void The_Node_sample_interpolates_the_key_in_a_template_literal()
    {
        var first = CodeSampleTemplates.Sample("Node", CodeSampleKind.FirstCall, KeyEnvironment.Test, "https://portal.example", Urls);

        Assert.Contains("process.env.DATAKEEN_SECRET_KEY", first.Code);
        Assert.Contains("Authorization: `Bearer ${key}`", first.Code);
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void Highlighting_keeps_the_text_and_marks_comments_strings_and_keywords(string language)
    {
        foreach (var sample in CodeSampleTemplates.For(language, KeyEnvironment.Test, "https://portal.example", Urls))
        {
            var html = sample.Highlighted.Value;

            Assert.Equal(sample.Code, WebUtility.HtmlDecode(Regex.Replace(html, "<[^>]+>", "")));
            Assert.Contains("<span class=\"dk-code-comment\">", html);
            Assert.Contains("<span class=\"dk-code-string\">", html);
            Assert.Contains("<span class=\"dk-code-keyword\">", html);
        }
    }

    [Fact]
    public void Highlighting_encodes_markup_in_the_code()
    {
        var html = CodeHighlighter.Highlight("const a = \"<script>\"; // <b>", "Node").Value;

        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("<b>", html);
        Assert.Contains("&lt;script&gt;", html);
    }
}
