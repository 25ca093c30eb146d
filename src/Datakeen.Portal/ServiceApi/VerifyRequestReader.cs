using System.Text.Json;
using System.Text.Unicode;
using Datakeen.Portal.Credits;

namespace Datakeen.Portal.ServiceApi;

// Strict reading of a verify request, by hand like ConsumeRequestReader: every malformed input is a
// problem with a stable code, never a binding failure.
public static class VerifyRequestReader
{
    public const int MaxBodyBytes = 4096;
    public const int MaxKeyCharacters = 256;

    public static async Task<VerifyBody> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        if (!request.HasJsonContentType())
        {
            return VerifyBody.Fail(CreditProblems.WrongMediaType());
        }

        var (body, problem) = await ConsumeRequestReader.ReadLimitedBodyAsync(request, MaxBodyBytes, ct);
        return problem is not null ? VerifyBody.Fail(problem) : Parse(body.Span);
    }

    internal static VerifyBody Parse(ReadOnlySpan<byte> json)
    {
        if (!Utf8.IsValid(json))
        {
            return VerifyBody.Fail(CreditProblems.Invalid("The body is not valid UTF-8 JSON."));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException)
        {
            return VerifyBody.Fail(CreditProblems.Invalid("The body is not valid JSON."));
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return VerifyBody.Fail(CreditProblems.Invalid("The body must be a JSON object."));
            }

            string? key = null;
            var cost = 0;
            string? idempotencyKey = null;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                {
                    return VerifyBody.Fail(CreditProblems.Invalid("A member is given twice."));
                }

                var value = property.Value;
                switch (property.Name)
                {
                    case "key":
                        // Any string is a verdict (a malformed key is simply not valid), but not an unbounded one.
                        if (value.ValueKind != JsonValueKind.String || value.GetString()!.Length > MaxKeyCharacters)
                        {
                            return VerifyBody.Fail(CreditProblems.Invalid($"'key' must be a string of at most {MaxKeyCharacters} characters."));
                        }

                        key = value.GetString();
                        break;
                    case "cost" when value.ValueKind == JsonValueKind.Null:
                        break;
                    case "cost":
                        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out cost) ||
                            cost is < 0 or > CreditLedger.MaxConsumeAmount)
                        {
                            return VerifyBody.Fail(CreditProblems.Invalid(
                                $"'cost' must be a whole number from 0 to {CreditLedger.MaxConsumeAmount}."));
                        }

                        break;
                    case "idempotencyKey" when value.ValueKind == JsonValueKind.Null:
                        break;
                    case "idempotencyKey":
                        if (value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 and <= ConsumeRequestReader.MaxKeyLength } text ||
                            text.Any(c => c is < ' ' or > '~'))
                        {
                            return VerifyBody.Fail(CreditProblems.Invalid(
                                $"'idempotencyKey' must be 1 to {ConsumeRequestReader.MaxKeyLength} printable ASCII characters."));
                        }

                        idempotencyKey = value.GetString();
                        break;
                    default:
                        return VerifyBody.Fail(CreditProblems.Invalid("Unknown member. Allowed: 'key', 'cost', 'idempotencyKey'."));
                }
            }

            if (key is null)
            {
                return VerifyBody.Fail(CreditProblems.Invalid("'key' is required: the customer's key to verify."));
            }

            if (cost > 0 && idempotencyKey is null)
            {
                return VerifyBody.Fail(CreditProblems.Missing());
            }

            return new VerifyBody(key, cost, idempotencyKey, null);
        }
    }
}

public sealed record VerifyBody(string Key, int Cost, string? IdempotencyKey, CreditProblem? Problem)
{
    public static VerifyBody Fail(CreditProblem problem) => new("", 0, null, problem);
}
