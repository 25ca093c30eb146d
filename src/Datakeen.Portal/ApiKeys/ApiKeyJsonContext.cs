using System.Text.Json;
using System.Text.Json.Serialization;

namespace Datakeen.Portal.ApiKeys;

// whoami's answer serialised by generated code rather than reflection (docs/benchmarks.md, "whoami and verify, fourth
// stop"), with the API's JSON options (PortalApi: web defaults, strict numbers), so the bytes are the same.
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(WhoAmIResponse))]
internal sealed partial class ApiKeyJsonContext : JsonSerializerContext;
