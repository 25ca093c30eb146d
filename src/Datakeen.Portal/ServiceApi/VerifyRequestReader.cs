using System.Buffers;
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

        // A pooled buffer and a forward-only reader: no copy of the body, no document (docs/benchmarks.md, issue 22).
        var buffer = ArrayPool<byte>.Shared.Rent(MaxBodyBytes + 1);
        try
        {
            var (length, problem) = await ConsumeRequestReader.ReadLimitedAsync(request, buffer, MaxBodyBytes, ct);
            return problem is not null ? VerifyBody.Fail(problem) : Parse(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    internal static VerifyBody Parse(ReadOnlySpan<byte> json)
    {
        if (!Utf8.IsValid(json))
        {
            return VerifyBody.Fail(CreditProblems.Invalid("The body is not valid UTF-8 JSON."));
        }

        // The whole body is well-formed JSON (depth at most 8) before any member is judged, so a syntax error
        // anywhere is "not valid JSON" whatever comes before it. Reading tokens allocates nothing.
        var options = new JsonReaderOptions { MaxDepth = 8 };
        try
        {
            var check = new Utf8JsonReader(json, options);
            while (check.Read())
            {
            }
        }
        catch (JsonException)
        {
            return VerifyBody.Fail(CreditProblems.Invalid("The body is not valid JSON."));
        }

        var reader = new Utf8JsonReader(json, options);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return VerifyBody.Fail(CreditProblems.Invalid("The body must be a JSON object."));
        }

        string? key = null;
        var cost = 0;
        string? idempotencyKey = null;
        // Only the three known members get past their first occurrence: a flag each tells a repeat.
        bool seenKey = false, seenCost = false, seenIdempotencyKey = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var member = reader.ValueTextEquals("key"u8) ? Member.Key
                : reader.ValueTextEquals("cost"u8) ? Member.Cost
                : reader.ValueTextEquals("idempotencyKey"u8) ? Member.IdempotencyKey
                : Member.Unknown;
            if (member switch
                {
                    Member.Key => !Set(ref seenKey),
                    Member.Cost => !Set(ref seenCost),
                    Member.IdempotencyKey => !Set(ref seenIdempotencyKey),
                    _ => false,
                })
            {
                return VerifyBody.Fail(CreditProblems.Invalid("A member is given twice."));
            }

            reader.Read();
            var type = reader.TokenType;
            switch (member)
            {
                case Member.Key:
                    // Any string is a verdict (a malformed key is simply not valid), but not an unbounded one.
                    if (type != JsonTokenType.String || TryGetString(ref reader) is not { Length: <= MaxKeyCharacters } text)
                    {
                        return VerifyBody.Fail(CreditProblems.Invalid($"'key' must be a string of at most {MaxKeyCharacters} characters."));
                    }

                    key = text;
                    break;
                case Member.Cost when type == JsonTokenType.Null:
                    break;
                case Member.Cost:
                    if (type != JsonTokenType.Number || !reader.TryGetInt32(out cost) || cost is < 0 or > CreditLedger.MaxConsumeAmount)
                    {
                        return VerifyBody.Fail(CreditProblems.Invalid(
                            $"'cost' must be a whole number from 0 to {CreditLedger.MaxConsumeAmount}."));
                    }

                    break;
                case Member.IdempotencyKey when type == JsonTokenType.Null:
                    break;
                case Member.IdempotencyKey:
                    if (type != JsonTokenType.String || TryGetString(ref reader) is not { Length: > 0 and <= ConsumeRequestReader.MaxKeyLength } value ||
                        value.Any(c => c is < ' ' or > '~'))
                    {
                        return VerifyBody.Fail(CreditProblems.Invalid(
                            $"'idempotencyKey' must be 1 to {ConsumeRequestReader.MaxKeyLength} printable ASCII characters."));
                    }

                    idempotencyKey = value;
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

    // A string escaping a lone surrogate ("\ud800") cannot be read as text: as the document's reading did, it
    // reads as no string at all (its member's own problem), never as an exception.
    private static string? TryGetString(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static bool Set(ref bool seen)
    {
        var first = !seen;
        seen = true;
        return first;
    }

    private enum Member
    {
        Unknown,
        Key,
        Cost,
        IdempotencyKey,
    }
}

public sealed record VerifyBody(string Key, int Cost, string? IdempotencyKey, CreditProblem? Problem)
{
    public static VerifyBody Fail(CreditProblem problem) => new("", 0, null, problem);
}
