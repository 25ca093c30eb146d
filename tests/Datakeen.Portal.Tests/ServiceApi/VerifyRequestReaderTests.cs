using System.Text;
using Datakeen.Portal.ServiceApi;

namespace Datakeen.Portal.Tests.ServiceApi;

// The verify body is read with a forward-only reader (no document): every input keeps the answer it had.
public sealed class VerifyRequestReaderTests
{
    [Theory]
    [InlineData("""{"key":"dk_x"}""", "dk_x", 0, null)]
    [InlineData("""{"key":"dk_x","cost":null,"idempotencyKey":null}""", "dk_x", 0, null)]
    [InlineData("""{"cost":3,"idempotencyKey":"job-1","key":""}""", "", 3, "job-1")]
    [InlineData("""{"k\u0065y":"a\u0041"}""", "aA", 0, null)]
    [InlineData(""" { "key" : "dk_x" , "cost" : 0 } """, "dk_x", 0, null)]
    public void A_valid_body_is_read(string json, string key, int cost, string? idempotencyKey)
    {
        var body = VerifyRequestReader.Parse(Encoding.UTF8.GetBytes(json));

        Assert.Null(body.Problem);
        Assert.Equal((key, cost, idempotencyKey), (body.Key, body.Cost, body.IdempotencyKey));
    }

    [Theory]
    [InlineData("", "The body is not valid JSON.")]
    [InlineData("""{"key":""", "The body is not valid JSON.")]
    [InlineData("""{"extra":1,"key":""", "The body is not valid JSON.")]
    [InlineData("""{"key":"x"} trailing""", "The body is not valid JSON.")]
    [InlineData("""{"key":"x","a":[[[[[[[[[1]]]]]]]]]}""", "The body is not valid JSON.")]
    [InlineData("""[1]""", "The body must be a JSON object.")]
    [InlineData("""null""", "The body must be a JSON object.")]
    [InlineData("""{"key":"x","key":"y"}""", "A member is given twice.")]
    [InlineData("""{"cost":1,"cost":1,"key":"x"}""", "A member is given twice.")]
    [InlineData("""{"key":"x","extra":1}""", "Unknown member. Allowed: 'key', 'cost', 'idempotencyKey'.")]
    [InlineData("""{"key":5}""", "'key' must be a string of at most 256 characters.")]
    [InlineData("""{"key":null}""", "'key' must be a string of at most 256 characters.")]
    [InlineData("""{"key":{"a":1}}""", "'key' must be a string of at most 256 characters.")]
    [InlineData("""{"key":"\ud800"}""", "'key' must be a string of at most 256 characters.")]
    [InlineData("""{"key":"x","cost":101,"idempotencyKey":"a"}""", "'cost' must be a whole number from 0 to 100.")]
    [InlineData("""{"key":"x","cost":-1}""", "'cost' must be a whole number from 0 to 100.")]
    [InlineData("""{"key":"x","cost":1.5}""", "'cost' must be a whole number from 0 to 100.")]
    [InlineData("""{"key":"x","cost":"1"}""", "'cost' must be a whole number from 0 to 100.")]
    [InlineData("""{"key":"x","cost":1,"idempotencyKey":""}""", "'idempotencyKey' must be 1 to 255 printable ASCII characters.")]
    [InlineData("""{"key":"x","cost":1,"idempotencyKey":"a\tb"}""", "'idempotencyKey' must be 1 to 255 printable ASCII characters.")]
    [InlineData("""{"key":"x","cost":1,"idempotencyKey":7}""", "'idempotencyKey' must be 1 to 255 printable ASCII characters.")]
    [InlineData("""{"cost":0}""", "'key' is required: the customer's key to verify.")]
    [InlineData("""{}""", "'key' is required: the customer's key to verify.")]
    public void A_malformed_body_is_a_problem_that_says_what_is_wrong(string json, string detail)
    {
        var body = VerifyRequestReader.Parse(Encoding.UTF8.GetBytes(json));

        Assert.NotNull(body.Problem);
        Assert.Equal(detail, body.Problem.Detail);
    }

    [Fact]
    public void A_key_longer_than_256_characters_and_invalid_utf8_are_problems()
    {
        Assert.NotNull(VerifyRequestReader.Parse(Encoding.UTF8.GetBytes($$"""{"key":"{{new string('a', 257)}}"}""")).Problem);
        Assert.Null(VerifyRequestReader.Parse(Encoding.UTF8.GetBytes($$"""{"key":"{{new string('a', 256)}}"}""")).Problem);
        Assert.Equal("The body is not valid UTF-8 JSON.", VerifyRequestReader.Parse([.. "{\"key\":\""u8, 0xff, .. "\"}"u8]).Problem?.Detail);
    }

    [Fact]
    public void A_cost_without_an_idempotency_key_is_the_missing_key_problem()
    {
        var body = VerifyRequestReader.Parse("""{"key":"x","cost":1}"""u8);

        Assert.Equal("missing_idempotency_key", body.Problem?.Code);
    }
}
