using System.Text;
using Datakeen.Portal.ApiKeys;

namespace Datakeen.Portal.IntegrationTests.Credits;

// Thousands of generated requests (fixed seed, so a failure replays) against credits/consume and whoami:
// whatever the body, headers and key look like, the answer is never a 5xx. The generator favours what
// PostgreSQL cannot store (NUL, lone surrogates, escaped or raw) and what parsers trip over.
public sealed class ApiFuzzTests(CreditPortalFixture portal) : IClassFixture<CreditPortalFixture>
{
    private const int Seed = 11;
    private const int Requests = 3000;

    private static readonly string[] Pieces =
    [
        "a", "Z", "0", " ", "\u0000", "\\u0000", "\ud800", "\\ud800", "\\udc00", "\udfff", "😀", "\\ud83d\\ude00", "é", "\u200b",
        "\"", "\\", "\\\"", "{", "}", "[", "]", ",", ":", "null", "true", "1e400", "-0", "\u007f", "\u0001", "\t", "%00", "'",
    ];

    private static readonly string?[] ContentTypes =
    [
        "application/json", "application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded",
        "application/problem+json", "application/json; charset=utf-16", null, "multipart/form-data; boundary=x", "*/*",
    ];

    [Fact]
    public async Task Thousands_of_generated_requests_to_consume_and_whoami_get_no_5xx()
    {
        var workspace = await portal.CreateWorkspaceAsync();
        var random = new Random(Seed);
        var cases = Enumerable.Range(0, Requests).Select(i => Generate(random, i, workspace.TestSecretKey, workspace.TestPublicKey)).ToList();
        using var client = portal.Portal.CreateClient();
        using var gate = new SemaphoreSlim(8);

        var failures = await Task.WhenAll(cases.Select(async c =>
        {
            await gate.WaitAsync();
            try
            {
                using var request = c.Build();
                using var response = await client.SendAsync(request);
                return (int)response.StatusCode >= 500 ? $"{(int)response.StatusCode} for {c}" : null;
            }
            finally
            {
                gate.Release();
            }
        }));

        Assert.Equal([], failures.Where(f => f is not null));
        await portal.AssertBalanceMatchesLedgerAsync(workspace.Id, KeyEnvironment.Test);
    }

    private static FuzzCase Generate(Random random, int index, string secretKey, string publicKey)
    {
        var whoami = random.Next(4) == 0;
        var authorization = random.Next(10) switch
        {
            < 6 => "Bearer " + secretKey,
            6 => "Bearer " + publicKey,
            7 => "Bearer " + Mutate(random, secretKey),
            8 => RandomText(random, random.Next(0, 140)),
            _ => null,
        };
        if (whoami)
        {
            return new FuzzCase(index, HttpMethod.Get, "/api/v1/whoami", authorization, null, null, null);
        }

        var idempotencyKey = random.Next(8) switch
        {
            0 => null,
            1 => RandomText(random, random.Next(0, 300)),
            2 => "",
            _ => Guid.NewGuid().ToString(),
        };
        var contentType = ContentTypes[random.Next(ContentTypes.Length)];
        var body = random.Next(10) switch
        {
            0 => null,
            1 => RandomBytes(random),
            2 => Encoding.UTF8.GetBytes(RandomText(random, random.Next(0, 60))),
            3 => Mutate(random, Encoding.UTF8.GetBytes(JsonBody(random))),
            _ => Encoding.UTF8.GetBytes(JsonBody(random)),
        };
        return new FuzzCase(index, HttpMethod.Post, "/api/v1/credits/consume", authorization, idempotencyKey, contentType, body);
    }

    private static string JsonBody(Random random)
    {
        var members = new List<string>();
        for (var i = random.Next(0, 4); i > 0; i--)
        {
            var name = random.Next(6) switch
            {
                0 => "\"" + RandomText(random, random.Next(0, 8)).Replace("\"", "", StringComparison.Ordinal) + "\"",
                < 3 => "\"amount\"",
                _ => "\"reference\"",
            };
            members.Add(name + ":" + JsonValue(random));
        }
        return random.Next(12) == 0 ? "[" + string.Join(",", members) + "]" : "{" + string.Join(",", members) + "}";
    }

    private static string JsonValue(Random random) => random.Next(9) switch
    {
        0 => random.Next(-5, 120).ToString(System.Globalization.CultureInfo.InvariantCulture),
        1 => (random.NextDouble() * 1e12).ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        2 => "null",
        3 => "99999999999999999999999",
        4 => "{\"x\":" + random.Next(3) + "}",
        5 => "1",
        _ => "\"" + RandomText(random, random.Next(0, 220)) + "\"",
    };

    private static string RandomText(Random random, int pieces)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < pieces; i++)
        {
            builder.Append(random.Next(3) == 0 ? (char)random.Next(0x20, 0x7f) : Pieces[random.Next(Pieces.Length)]);
        }
        return builder.ToString();
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(1, 5000)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string Mutate(Random random, string text)
    {
        var chars = text.ToCharArray();
        chars[random.Next(chars.Length)] = Pieces[random.Next(Pieces.Length)][0];
        return new string(chars);
    }

    private static byte[] Mutate(Random random, byte[] bytes)
    {
        if (bytes.Length > 0)
        {
            bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
        }
        return bytes;
    }

    private sealed record FuzzCase(int Index, HttpMethod Method, string Path, string? Authorization, string? IdempotencyKey,
        string? ContentType, byte[]? Body)
    {
        public HttpRequestMessage Build()
        {
            var request = new HttpRequestMessage(Method, Path);
            if (Authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", Authorization);
            }
            if (IdempotencyKey is not null)
            {
                request.Headers.TryAddWithoutValidation("Idempotency-Key", IdempotencyKey);
            }
            if (Body is not null)
            {
                request.Content = new ByteArrayContent(Body);
                if (ContentType is not null)
                {
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
                }
            }
            return request;
        }

        public override string ToString() =>
            $"case {Index}: {Method} {Path}, Idempotency-Key {Escape(IdempotencyKey)}, Content-Type {ContentType}, " +
            $"body {(Body is null ? "none" : Escape(Encoding.UTF8.GetString(Body[..Math.Min(Body.Length, 300)])))}";

        // The key stays out of failure messages; everything else is shown with its control characters escaped.
        private static string Escape(string? text) => text is null ? "none"
            : string.Concat(text.Select(c => c < ' ' || char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : c.ToString()));
    }
}
