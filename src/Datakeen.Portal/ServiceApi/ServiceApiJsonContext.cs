using System.Text.Json;
using System.Text.Json.Serialization;

namespace Datakeen.Portal.ServiceApi;

// verify's verdicts serialised by generated code rather than reflection (docs/benchmarks.md, "whoami and verify, fourth
// stop"), with the API's JSON options (PortalApi: web defaults, strict numbers), so the bytes are the same.
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(VerifyValidResponse))]
[JsonSerializable(typeof(VerifyInvalidResponse))]
internal sealed partial class ServiceApiJsonContext : JsonSerializerContext;
