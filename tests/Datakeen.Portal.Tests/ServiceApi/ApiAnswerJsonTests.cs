using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.ServiceApi;

namespace Datakeen.Portal.Tests.ServiceApi;

// whoami's and verify's answers are written by generated serialisers (ApiKeyJsonContext, ServiceApiJsonContext): the
// bytes must be those the API's reflection-based options wrote before (PortalApi), escaping included.
public sealed class ApiAnswerJsonTests
{
    // The API's options (PortalApi.AddPortalApi): web defaults and strict numbers.
    private static readonly JsonSerializerOptions ApiOptions = new(JsonSerializerDefaults.Web) { NumberHandling = JsonNumberHandling.Strict };

    // Non-ASCII, HTML-sensitive characters and quotes in the names: the default encoder escapes them.
    private static readonly VerifyWorkspace Workspace = new(Guid.Parse("0199d7c5-0000-7000-8000-00000000ac3e"), "acme-ü", "Acmé <&> \"Ltd\" '+' 😀");

    [Fact]
    public void Whoami_is_written_as_the_api_options_write_it()
    {
        var answer = new WhoAmIResponse(new WhoAmIWorkspace(Workspace.Id, Workspace.Name, Workspace.Slug), "test", "secret", "dk_test_sk_…AbCd");

        Assert.Equal(Reflected(answer), Generated(answer, ApiKeyJsonContext.Default.WhoAmIResponse));
    }

    [Fact]
    public void Verify_verdicts_are_written_as_the_api_options_write_them()
    {
        var valid = new VerifyValidResponse(true, Workspace, "production", "public", "dk_live_pk_…Zz09", new VerifyCredits(long.MaxValue));
        var invalid = new VerifyInvalidResponse(false, "insufficient_credits");

        Assert.Equal(Reflected(valid), Generated(valid, ServiceApiJsonContext.Default.VerifyValidResponse));
        Assert.Equal(Reflected(invalid), Generated(invalid, ServiceApiJsonContext.Default.VerifyInvalidResponse));
    }

    private static string Reflected<T>(T value) =>
        Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(value, new JsonSerializerOptions(ApiOptions)));

    private static string Generated<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo) =>
        Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));
}
