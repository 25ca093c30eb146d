using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using Datakeen.Portal.Infrastructure;

namespace Datakeen.Portal.Credits;

// Reads and validates a consume request by hand rather than through minimal-API binding, so that every
// malformed input gets a problem answer with a stable code (binding failures would be bare 400s or 500s).
public static class ConsumeRequestReader
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const int MaxBodyBytes = 4096;
    public const int MaxKeyLength = 255;
    public const int MaxReferenceLength = 200;
    public const int DefaultAmount = 1;

    public static bool TryReadIdempotencyKey(HttpRequest request, out string key, out CreditProblem? problem)
    {
        key = "";
        problem = null;
        var values = request.Headers[IdempotencyKeyHeader];
        if (values.Count == 0 || (values.Count == 1 && string.IsNullOrEmpty(values[0])))
        {
            problem = CreditProblems.Missing();
            return false;
        }

        if (values.Count > 1)
        {
            problem = CreditProblems.Invalid("Send exactly one 'Idempotency-Key' header.");
            return false;
        }

        var value = values[0]!;
        if (value.Length > MaxKeyLength || value.Any(c => c is < ' ' or > '~'))
        {
            problem = CreditProblems.Invalid($"The 'Idempotency-Key' header must be 1 to {MaxKeyLength} printable ASCII characters.");
            return false;
        }

        key = value;
        return true;
    }

    public static async Task<ConsumeBody> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        // No body at all means every default: consume one credit.
        if (request.ContentLength == 0)
        {
            return ConsumeBody.Default;
        }

        // A pooled buffer: a fresh 4 KB array per request was the largest allocation of a consume.
        var buffer = ArrayPool<byte>.Shared.Rent(MaxBodyBytes + 1);
        try
        {
            var (length, problem) = await ReadLimitedAsync(request, buffer, MaxBodyBytes, ct);
            if (problem is not null)
            {
                return ConsumeBody.Fail(problem);
            }

            if (length == 0)
            {
                return ConsumeBody.Default;
            }

            return request.HasJsonContentType()
                ? Parse(buffer.AsMemory(0, length))
                : ConsumeBody.Fail(CreditProblems.WrongMediaType());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Reads at most limit + 1 bytes into buffer (at least that long): more than limit is a problem.
    internal static async Task<(int Length, CreditProblem? Problem)> ReadLimitedAsync(HttpRequest request, byte[] buffer, int limit,
        CancellationToken ct)
    {
        if (request.ContentLength > limit)
        {
            return (0, CreditProblems.TooLarge(limit));
        }

        var length = 0;
        try
        {
            int read;
            while (length < limit + 1 && (read = await request.Body.ReadAsync(buffer.AsMemory(length, limit + 1 - length), ct)) > 0)
            {
                length += read;
            }
        }
        catch (BadHttpRequestException e)
        {
            // Malformed framing (bad chunked encoding, body shorter than its Content-Length...): the client's fault.
            return (0, e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? CreditProblems.TooLarge(limit)
                : CreditProblems.Invalid("The request body could not be read."));
        }

        return length > limit ? (0, CreditProblems.TooLarge(limit)) : (length, null);
    }

    internal static ConsumeBody Parse(ReadOnlyMemory<byte> json)
    {
        // JsonDocument does not validate the UTF-8 of strings until they are read, and then throws
        // something other than a JsonException.
        if (!Utf8.IsValid(json.Span))
        {
            return ConsumeBody.Fail(CreditProblems.Invalid("The body is not valid UTF-8 JSON."));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException)
        {
            return ConsumeBody.Fail(CreditProblems.Invalid("The body is not valid JSON."));
        }

        using (document)
        {
            try
            {
                return Read(document.RootElement);
            }
            catch (InvalidOperationException)
            {
                // A name or string escaping a lone surrogate ("\ud800") cannot be read as text.
                return ConsumeBody.Fail(CreditProblems.Invalid("The body contains text that is not valid Unicode."));
            }
        }
    }

    private static ConsumeBody Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return ConsumeBody.Fail(CreditProblems.Invalid("The body must be a JSON object."));
        }

        int? amount = null;
        string? reference = null;
        // Only the two known members get past the first occurrence of a name: two flags tell a repeat.
        bool seenAmount = false, seenReference = false;
        foreach (var property in root.EnumerateObject())
        {
            if (property.NameEquals("amount") ? !Set(ref seenAmount) : property.NameEquals("reference") && !Set(ref seenReference))
            {
                return ConsumeBody.Fail(CreditProblems.Invalid($"'{Shorten(property.Name)}' is given twice."));
            }

            var value = property.Value;
            switch (property.Name)
            {
                case "amount" when value.ValueKind == JsonValueKind.Null:
                    break;
                case "amount":
                    // TryGetInt32 refuses fractions and exponents ("1.5", "1e2") as well as out-of-range values.
                    if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var n) ||
                        n is < 1 or > CreditLedger.MaxConsumeAmount)
                    {
                        return ConsumeBody.Fail(CreditProblems.Invalid(
                            $"'amount' must be a whole number from 1 to {CreditLedger.MaxConsumeAmount}."));
                    }

                    amount = n;
                    break;
                case "reference" when value.ValueKind == JsonValueKind.Null:
                    break;
                case "reference":
                    if (value.ValueKind != JsonValueKind.String || value.GetString()!.Length > MaxReferenceLength)
                    {
                        return ConsumeBody.Fail(CreditProblems.Invalid(
                            $"'reference' must be a string of at most {MaxReferenceLength} characters."));
                    }

                    reference = value.GetString();
                    if (!StorableText.IsStorable(reference))
                    {
                        return ConsumeBody.Fail(CreditProblems.Invalid(
                            "'reference' cannot contain NUL characters or unpaired surrogates."));
                    }
                    break;
                default:
                    // Unknown members are refused rather than ignored: a typo such as "amout" must not
                    // silently consume the default amount.
                    return ConsumeBody.Fail(CreditProblems.Invalid(
                        $"Unknown member '{Shorten(property.Name)}'. Allowed: 'amount', 'reference'."));
            }
        }

        return ConsumeBody.Ok(amount ?? DefaultAmount, reference);
    }

    // Marks a member as seen: false when it already was.
    private static bool Set(ref bool seen)
    {
        var first = !seen;
        seen = true;
        return first;
    }

    private static string Shorten(string name) => name.Length <= 40 ? name : name[..40] + "…";
}

public sealed record ConsumeBody(int Amount, string? Reference, CreditProblem? Problem)
{
    public static readonly ConsumeBody Default = Ok(ConsumeRequestReader.DefaultAmount, null);

    public static ConsumeBody Ok(int amount, string? reference) => new(amount, reference, null);

    public static ConsumeBody Fail(CreditProblem problem) => new(0, null, problem);
}
