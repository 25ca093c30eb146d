using System.Text;
using Datakeen.Portal.Credits;
using Microsoft.AspNetCore.Http;

namespace Datakeen.Portal.Tests.Credits;

public sealed class ConsumeRequestReaderTests
{
    [Theory]
    [InlineData("""{}""", 1, null)]
    [InlineData("""{"amount":7}""", 7, null)]
    [InlineData("""{"amount":100,"reference":"job-1"}""", 100, "job-1")]
    [InlineData("""{"amount":null,"reference":null}""", 1, null)]
    [InlineData("""{"reference":""}""", 1, "")]
    public void A_valid_body_is_read_with_its_defaults(string json, int amount, string? reference)
    {
        var body = ConsumeRequestReader.Parse(Encoding.UTF8.GetBytes(json));

        Assert.Null(body.Problem);
        Assert.Equal((amount, reference), (body.Amount, body.Reference));
    }

    [Theory]
    [InlineData("""{"amount":0}""")]
    [InlineData("""{"amount":-1}""")]
    [InlineData("""{"amount":101}""")]
    [InlineData("""{"amount":99999999999999999999}""")]
    [InlineData("""{"amount":1.5}""")]
    [InlineData("""{"amount":1.0}""")]
    [InlineData("""{"amount":1e1}""")]
    [InlineData("""{"amount":"5"}""")]
    [InlineData("""{"amount":true}""")]
    [InlineData("""{"amount":[1]}""")]
    [InlineData("""{"reference":5}""")]
    [InlineData("""{"amout":5}""")]
    [InlineData("""{"amount":1,"amount":2}""")]
    [InlineData("""[1]""")]
    [InlineData("""5""")]
    [InlineData("""null""")]
    [InlineData("""{"amount":""")]
    [InlineData("""{amount:1}""")]
    [InlineData("""{"amount":1} trailing""")]
    public void An_invalid_body_is_an_invalid_request(string json)
    {
        var body = ConsumeRequestReader.Parse(Encoding.UTF8.GetBytes(json));

        Assert.Equal((400, CreditProblems.InvalidRequest), (body.Problem?.Status, body.Problem?.Code));
    }

    [Fact]
    public void A_reference_longer_than_200_characters_is_refused()
    {
        Assert.Null(ConsumeRequestReader.Parse(Encoding.UTF8.GetBytes($$"""{"reference":"{{new string('r', 200)}}"}""")).Problem);
        Assert.Equal(CreditProblems.InvalidRequest,
            ConsumeRequestReader.Parse(Encoding.UTF8.GetBytes($$"""{"reference":"{{new string('r', 201)}}"}""")).Problem?.Code);
    }

    [Fact]
    public void Invalid_utf8_is_an_invalid_request()
    {
        Assert.Equal(CreditProblems.InvalidRequest, ConsumeRequestReader.Parse(new byte[] { 0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D }).Problem?.Code);
    }

    [Theory]
    [InlineData(null, CreditProblems.MissingIdempotencyKey)]
    [InlineData("", CreditProblems.MissingIdempotencyKey)]
    [InlineData("tab\tinside", CreditProblems.InvalidRequest)]
    [InlineData("é", CreditProblems.InvalidRequest)]
    [InlineData("ok-key_1 with spaces~", null)]
    public void The_idempotency_key_must_be_printable_ascii(string? header, string? code)
    {
        var context = new DefaultHttpContext();
        if (header is not null)
        {
            context.Request.Headers[ConsumeRequestReader.IdempotencyKeyHeader] = header;
        }

        var ok = ConsumeRequestReader.TryReadIdempotencyKey(context.Request, out var key, out var problem);

        Assert.Equal(code is null, ok);
        Assert.Equal(code, problem?.Code);
        Assert.Equal(ok ? header : "", key);
    }

    [Fact]
    public void The_idempotency_key_is_limited_to_255_characters_and_one_header()
    {
        Assert.True(Read(new string('k', 255)));
        Assert.False(Read(new string('k', 256)));
        Assert.False(Read("a", "b"));

        static bool Read(params string[] values)
        {
            var context = new DefaultHttpContext();
            context.Request.Headers[ConsumeRequestReader.IdempotencyKeyHeader] = values;
            return ConsumeRequestReader.TryReadIdempotencyKey(context.Request, out _, out _);
        }
    }

    [Theory]
    [InlineData(4096, "application/json", null)]
    [InlineData(4097, "application/json", 413)]
    [InlineData(12, "text/plain", 415)]
    [InlineData(0, null, null)]
    public async Task The_body_is_limited_to_4_kilobytes_of_json(int size, string? contentType, int? status)
    {
        // {"amount":1} padded with insignificant whitespace to the exact size.
        var json = size == 0 ? "" : """{"amount":1""" + new string(' ', size - 12) + "}";
        var context = new DefaultHttpContext();
        context.Request.ContentType = contentType;
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(json));

        var body = await ConsumeRequestReader.ReadBodyAsync(context.Request, CancellationToken.None);

        Assert.Equal(size, Encoding.UTF8.GetByteCount(json));
        Assert.Equal(status, body.Problem?.Status);
    }

    [Fact]
    public void The_request_hash_tells_apart_every_part_of_the_request()
    {
        var hashes = new[]
        {
            IdempotencyStore.HashRequest("POST", "/api/v1/credits/consume", "test", 1, null),
            IdempotencyStore.HashRequest("POST", "/api/v1/credits/consume", "test", 1, ""),
            IdempotencyStore.HashRequest("POST", "/api/v1/credits/consume", "test", 2, null),
            IdempotencyStore.HashRequest("POST", "/api/v1/credits/consume", "production", 1, null),
            IdempotencyStore.HashRequest("POST", "/api/v1/credits/consume", "test", 1, "a"),
            IdempotencyStore.HashRequest("POST", "/api/v1/credits/consume", "test", 11, null),
        };

        Assert.Equal(hashes.Length, hashes.Select(Convert.ToHexString).Distinct().Count());
        Assert.Equal(hashes[4], IdempotencyStore.HashRequest("POST", "/api/v1/credits/consume", "test", 1, "a"));
    }
}
