using System.Text.Json;
using System.Text.Json.Serialization;

namespace Datakeen.Portal.SecretScanning;

// One entry of GitHub's report body: [ { "token", "type", "url", "source" } ].
public sealed record LeakReportRequest(
    [property: JsonPropertyName("token")] string? Token,
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("url")] string? Url,
    [property: JsonPropertyName("source")] string? Source)
{
    public const int MaxUrlLength = 2048;
    public const int MaxTokensPerReport = 1000;

    // Keeps the token out of ToString(), so logging a report cannot leak a key.
    public override string ToString() => $"Type = {Type}, Url = {Url}, Source = {Source}, Token = [redacted]";

    public static IReadOnlyList<LeakReportRequest>? TryParse(ReadOnlySpan<byte> body)
    {
        try
        {
            var entries = JsonSerializer.Deserialize<List<LeakReportRequest?>>(body);
            if (entries is null || entries.Count > MaxTokensPerReport ||
                entries.Any(e => e is null || string.IsNullOrEmpty(e.Token) || e.Token.Length > 1000))
            {
                return null;
            }

            return entries!;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

// One entry of the answer: GitHub's feedback format.
public sealed record LeakReportFeedback(
    [property: JsonPropertyName("token_hash")] string TokenHash,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("label")] string Label);

public static class LeakLabels
{
    public const string TruePositive = "true_positive";
    public const string FalsePositive = "false_positive";
}
