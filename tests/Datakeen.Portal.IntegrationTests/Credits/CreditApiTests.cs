using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Credits;
using Datakeen.Portal.Data;
using Datakeen.Portal.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Datakeen.Portal.IntegrationTests.Credits;

public sealed class CreditApiTests(CreditPortalFixture portal) : IClassFixture<CreditPortalFixture>
{
    [Fact]
    public async Task Two_hundred_parallel_consumptions_of_20_credits_give_exactly_20_successes_and_180_refusals()
    {
        var workspace = await portal.CreateWorkspaceAsync();
        using var client = portal.ClientWith(workspace.TestSecretKey);
        using var start = new SemaphoreSlim(0);

        var requests = Enumerable.Range(0, 200).Select(async i =>
        {
            await start.WaitAsync();
            using var response = await client.SendAsync(CreditPortalFixture.Consume(1, $"parallel-{i}"));
            return response.StatusCode;
        }).ToList();
        start.Release(requests.Count);
        var statuses = await Task.WhenAll(requests);

        Assert.Equal(20, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(180, statuses.Count(s => s == HttpStatusCode.PaymentRequired));
        Assert.Equal(0, await portal.BalanceAsync(workspace.Id, KeyEnvironment.Test));
        Assert.Equal(20, (await portal.EntriesAsync(workspace.Id, KeyEnvironment.Test)).Count(e => e.Type == LedgerEntryType.Consume));
        await portal.AssertBalanceMatchesLedgerAsync(workspace.Id, KeyEnvironment.Test);
    }

    // The key is claimed by the statement that debits: a concurrent duplicate waits for the first request's
    // transaction, is refused by the unique indexes (its own debit rolled back) and replays the stored answer.
    // 409 is left for a key with no answer to replay (see IdempotencyStoreTests), never for a race.
    [Fact]
    public async Task One_hundred_parallel_requests_with_the_same_key_debit_once_and_all_others_get_the_replay()
    {
        var workspace = await portal.CreateWorkspaceAsync();
        using var client = portal.ClientWith(workspace.TestSecretKey);

        var answers = await SendInParallelAsync(client, 100, () => CreditPortalFixture.Consume(3, "same-key"));

        var original = Assert.Single(answers, a => !a.Replayed);
        Assert.Equal(HttpStatusCode.Created, original.StatusCode);
        Assert.All(answers, a => Assert.Equal((HttpStatusCode.Created, original.Body), (a.StatusCode, a.Body)));
        Assert.Equal(17, await portal.BalanceAsync(workspace.Id, KeyEnvironment.Test));
        Assert.Single(await portal.EntriesAsync(workspace.Id, KeyEnvironment.Test), e => e.Type == LedgerEntryType.Consume);
        await portal.AssertBalanceMatchesLedgerAsync(workspace.Id, KeyEnvironment.Test);
    }

    [Fact]
    public async Task One_hundred_parallel_refused_requests_with_the_same_key_store_one_402_and_all_others_replay_it()
    {
        var workspace = await portal.CreateWorkspaceAsync();
        using var client = portal.ClientWith(workspace.LiveSecretKey);

        var answers = await SendInParallelAsync(client, 100, () => CreditPortalFixture.Consume(1, "same-refused-key"));

        var original = Assert.Single(answers, a => !a.Replayed);
        Assert.Equal(HttpStatusCode.PaymentRequired, original.StatusCode);
        Assert.Contains(CreditProblems.InsufficientCredits, original.Body);
        Assert.All(answers, a => Assert.Equal((HttpStatusCode.PaymentRequired, original.Body), (a.StatusCode, a.Body)));
        Assert.Equal(0, await portal.BalanceAsync(workspace.Id, KeyEnvironment.Production));
        Assert.Empty(await portal.EntriesAsync(workspace.Id, KeyEnvironment.Production));
    }

    [Fact]
    public async Task Parallel_requests_with_the_same_key_and_different_amounts_debit_once_and_the_others_are_422_or_the_replay()
    {
        var workspace = await portal.CreateWorkspaceAsync();
        using var client = portal.ClientWith(workspace.TestSecretKey);
        // Request i asks for amounts[i] (the requests are built in order, before any is sent; answers keep that order).
        var amounts = Enumerable.Range(0, 40).Select(i => 1 + i % 2).ToArray();
        var next = -1;

        var answers = await SendInParallelAsync(client, 40, () => CreditPortalFixture.Consume(amounts[Interlocked.Increment(ref next)], "mixed-key"));

        // Exactly one first answer; every other request is answered by what its own amount says: the same request
        // is the replay of the first answer, a different one is 422 (never the other way round, never a second debit).
        var first = Assert.Single(Enumerable.Range(0, 40), i => answers[i] is { StatusCode: HttpStatusCode.Created, Replayed: false });
        var original = answers[first];
        Assert.All(Enumerable.Range(0, 40).Where(i => i != first), i =>
        {
            if (amounts[i] == amounts[first])
            {
                Assert.Equal((HttpStatusCode.Created, true, original.Body), answers[i]);
            }
            else
            {
                Assert.Equal(HttpStatusCode.UnprocessableEntity, answers[i].StatusCode);
                Assert.Contains(CreditProblems.IdempotencyKeyReused, answers[i].Body);
            }
        });
        var entry = Assert.Single(await portal.EntriesAsync(workspace.Id, KeyEnvironment.Test), e => e.Type == LedgerEntryType.Consume);
        Assert.Equal(20 + entry.Amount, await portal.BalanceAsync(workspace.Id, KeyEnvironment.Test));
        await portal.AssertBalanceMatchesLedgerAsync(workspace.Id, KeyEnvironment.Test);
    }

    // Group commit: the requests that arrive while a batch is in flight go in the next one, one statement, and each
    // gets its own answer. The first batch is held on a row lock of another workspace while the six requests queue.
    [Fact]
    public async Task One_batch_with_a_success_a_402_a_replay_a_reuse_a_conflict_and_a_duplicate_answers_each_request_as_alone()
    {
        var workspace = await portal.CreateWorkspaceAsync();
        var blocker = await portal.CreateWorkspaceAsync();
        using var client = portal.ClientWith(workspace.TestSecretKey);
        using var replayed = await client.SendAsync(CreditPortalFixture.Consume(2, "replayed"));
        (await client.SendAsync(CreditPortalFixture.Consume(1, "reused"))).Dispose();
        await using (var db = await portal.Service<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            db.IdempotencyRecords.Add(new IdempotencyRecord
            {
                WorkspaceId = workspace.Id, Key = "in-flight", CreatedAt = DateTimeOffset.UtcNow,
                RequestHash = IdempotencyStore.HashRequest("POST", "/api/v1/credits/consume", "test", 1, null),
            });
            await db.SaveChangesAsync();
        }

        using var probe = new DebitBatchProbe(portal.Service<IMeterFactory>());
        var held = await AccountRowLock.HoldAsync(portal.Service<NpgsqlDataSource>(), blocker.Id, "Test");
        using var blockerClient = portal.ClientWith(blocker.TestSecretKey);
        var first = blockerClient.SendAsync(CreditPortalFixture.Consume(1, "blocker"));
        await probe.BatchesStartedAsync(1);
        // 17 credits left: 10 fits, 8 no longer does.
        var requests = new[]
        {
            CreditPortalFixture.Consume(10, "success"), CreditPortalFixture.Consume(8, "refused"),
            CreditPortalFixture.Consume(2, "replayed"), CreditPortalFixture.Consume(3, "reused"),
            CreditPortalFixture.Consume(1, "in-flight"), CreditPortalFixture.Consume(10, "success"),
        };
        var sent = new List<Task<HttpResponseMessage>>();
        foreach (var request in requests)
        {
            sent.Add(client.SendAsync(request));
            await probe.WaitingAsync(sent.Count);
        }

        await held.DisposeAsync();
        var answers = await Task.WhenAll(sent.Select(async task =>
        {
            using var response = await task;
            return (response.StatusCode, Replayed: response.Headers.Contains(CreditEndpoints.ReplayedHeader),
                Body: await response.Content.ReadAsStringAsync());
        }));
        (await first).Dispose();

        Assert.Equal([1, 6], probe.BatchSizes);
        Assert.Equal(
            [(HttpStatusCode.Created, false), (HttpStatusCode.PaymentRequired, false), (HttpStatusCode.Created, true),
                (HttpStatusCode.UnprocessableEntity, false), (HttpStatusCode.Conflict, false), (HttpStatusCode.Created, true)],
            answers.Select(a => (a.StatusCode, a.Replayed)).ToArray());
        var success = JsonDocument.Parse(answers[0].Body).RootElement;
        Assert.Equal((10, 7L), (success.GetProperty("amount").GetInt32(), success.GetProperty("balance").GetInt64()));
        Assert.Contains(CreditProblems.InsufficientCredits, answers[1].Body);
        Assert.Equal(await replayed.Content.ReadAsStringAsync(), answers[2].Body);
        Assert.Contains(CreditProblems.IdempotencyKeyReused, answers[3].Body);
        Assert.Contains(CreditProblems.IdempotencyConflict, answers[4].Body);
        Assert.Equal(answers[0].Body, answers[5].Body);
        Assert.Equal(7, await portal.BalanceAsync(workspace.Id, KeyEnvironment.Test));
        await portal.AssertBalanceMatchesLedgerAsync(workspace.Id, KeyEnvironment.Test);
    }

    [Fact]
    public async Task A_key_left_unanswered_by_a_previous_version_is_409_and_debits_nothing()
    {
        var workspace = await portal.CreateWorkspaceAsync();
        using var client = portal.ClientWith(workspace.TestSecretKey);
        await using (var db = await portal.Service<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            db.IdempotencyRecords.Add(new IdempotencyRecord
            {
                WorkspaceId = workspace.Id,
                Key = "in-flight",
                RequestHash = IdempotencyStore.HashRequest("POST", "/api/v1/credits/consume", "test", 1, null),
                CreatedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
        }

        using var response = await client.SendAsync(CreditPortalFixture.Consume(1, "in-flight"));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(CreditProblems.IdempotencyConflict, await CreditPortalFixture.CodeOfAsync(response));
        Assert.Equal(20, await portal.BalanceAsync(workspace.Id, KeyEnvironment.Test));
    }

    [Fact]
    public async Task A_consumption_answers_201_with_the_entry_and_the_new_balance()
    {
        var workspace = await portal.CreateWorkspaceAsync();
        using var client = portal.ClientWith(workspace.TestSecretKey);

        using var response = await client.SendAsync(CreditPortalFixture.Consume("first",
            """{"amount":4,"reference":"document 7"}"""));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var entry = Assert.Single(await portal.EntriesAsync(workspace.Id, KeyEnvironment.Test), e => e.Type == LedgerEntryType.Consume);
        Assert.Equal(entry.Id, body.GetProperty("id").GetGuid());
        Assert.Equal("test", body.GetProperty("environment").GetString());
        Assert.Equal(4, body.GetProperty("amount").GetInt32());
        Assert.Equal(16, body.GetProperty("balance").GetInt64());
        Assert.Equal(("document 7", "first", workspace.Key(KeyEnvironment.Test, KeyKind.Secret).Id),
            (entry.Reference, entry.IdempotencyKey, entry.ActorApiKeyId!.Value));
    }

    [Fact]
    public async Task An_empty_body_consumes_one_credit()
    {
        var workspace = await portal.CreateWorkspaceAsync();
        using var client = portal.ClientWith(workspace.TestSecretKey);

        using var response = await client.SendAsync(CreditPortalFixture.Consume(Guid.NewGuid().ToString()));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(19, await portal.BalanceAsync(workspace.Id, KeyEnvironment.Test));
    }

    [Fact]
    public async Task A_live_key_consumes_production_credits_only_and_a_test_key_test_credits_only()
    {
        var workspace = await portal.CreateWorkspaceAsync();
        using var live = portal.ClientWith(workspace.LiveSecretKey);
        using var test = portal.ClientWith(workspace.TestSecretKey);

        using (var refused = await live.SendAsync(CreditPortalFixture.Consume(1)))
        {
            Assert.Equal(HttpStatusCode.PaymentRequired, refused.StatusCode);
            Assert.Equal(CreditProblems.InsufficientCredits, await CreditPortalFixture.CodeOfAsync(refused));
        }

        Assert.Equal(20, await portal.BalanceAsync(workspace.Id, KeyEnvironment.Test));

        await portal.Service<CreditLedger>().GrantAsync(workspace.Id, KeyEnvironment.Production, 10, "test operator");
        using (var consumed = await live.SendAsync(CreditPortalFixture.Consume(4)))
        {
            Assert.Equal(HttpStatusCode.Created, consumed.StatusCode);
            var body = await consumed.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(("production", 6L), (body.GetProperty("environment").GetString(), body.GetProperty("balance").GetInt64()));
        }

        using (var consumed = await test.SendAsync(CreditPortalFixture.Consume(5)))
        {
            Assert.Equal(HttpStatusCode.Created, consumed.StatusCode);
        }

        Assert.Equal((6L, 15L), (await portal.BalanceAsync(workspace.Id, KeyEnvironment.Production),
            await portal.BalanceAsync(workspace.Id, KeyEnvironment.Test)));
        Assert.Equal(new CreditsResponse("production", 6, 10, 4), await live.GetFromJsonAsync<CreditsResponse>("/api/v1/credits"));
        Assert.Equal(new CreditsResponse("test", 15, 20, 5), await test.GetFromJsonAsync<CreditsResponse>("/api/v1/credits"));
    }

    [Fact]
    public async Task Credits_answers_the_balance_with_camel_case_members()
    {
        var workspace = await portal.CreateWorkspaceAsync();
        using var client = portal.ClientWith(workspace.TestSecretKey);

        var body = await client.GetStringAsync("/api/v1/credits");

        Assert.Equal("""{"environment":"test","balance":20,"granted":20,"consumed":0}""", body);
    }

    [Theory]
    [InlineData("test")]
    [InlineData("production")]
    public async Task A_public_key_is_refused_on_both_credit_endpoints(string environment)
    {
        var workspace = await portal.CreateWorkspaceAsync();
        using var client = portal.ClientWith(environment == "test" ? workspace.TestPublicKey : workspace.LivePublicKey);

        using var get = await client.GetAsync("/api/v1/credits");
        using var consume = await client.SendAsync(CreditPortalFixture.Consume(1));

        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (get.StatusCode, consume.StatusCode));
        Assert.Equal(ApiKeyProblems.PublicKeyNotAllowed, await CreditPortalFixture.CodeOfAsync(consume));
        Assert.Equal(20, await portal.BalanceAsync(workspace.Id, KeyEnvironment.Test));
    }

    public static TheoryData<string, int, string> BadInputs => new()
    {
        { "no idempotency key", 400, CreditProblems.MissingIdempotencyKey },
        { "empty idempotency key", 400, CreditProblems.MissingIdempotencyKey },
        { "idempotency key of 256 characters", 400, CreditProblems.InvalidRequest },
        { "idempotency key with a control character", 400, CreditProblems.InvalidRequest },
        { """{"amount":0}""", 400, CreditProblems.InvalidRequest },
        { """{"amount":-5}""", 400, CreditProblems.InvalidRequest },
        { """{"amount":101}""", 400, CreditProblems.InvalidRequest },
        { """{"amount":9223372036854775808}""", 400, CreditProblems.InvalidRequest },
        { """{"amount":1e400}""", 400, CreditProblems.InvalidRequest },
        { """{"amount":"ten"}""", 400, CreditProblems.InvalidRequest },
        { """{"amount":1.5}""", 400, CreditProblems.InvalidRequest },
        { """{"amount":2,"extra":true}""", 400, CreditProblems.InvalidRequest },
        { """{"reference":["a"]}""", 400, CreditProblems.InvalidRequest },
        { "reference of 201 characters", 400, CreditProblems.InvalidRequest },
        { """{"amount":""", 400, CreditProblems.InvalidRequest },
        { "not json at all", 400, CreditProblems.InvalidRequest },
        { "invalid utf-8", 400, CreditProblems.InvalidRequest },
        { "text/plain body", 415, CreditProblems.UnsupportedMediaType },
        { "form body", 415, CreditProblems.UnsupportedMediaType },
        { "body over 4 KB", 413, CreditProblems.PayloadTooLarge },
        { "chunked body over 4 KB", 413, CreditProblems.PayloadTooLarge },
        { "public key", 403, ApiKeyProblems.PublicKeyNotAllowed },
        { "no key", 401, ApiKeyProblems.InvalidApiKey },
        { "malformed authorization", 401, ApiKeyProblems.InvalidApiKey },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_gets_a_problem_with_a_stable_code_and_debits_nothing(string input, int status, string code)
    {
        var workspace = await portal.CreateWorkspaceAsync();
        var key = input switch
        {
            "public key" => workspace.TestPublicKey,
            "no key" => null,
            "malformed authorization" => "dk_test_sk_x",
            _ => workspace.TestSecretKey,
        };
        using var client = portal.ClientWith(key);

        using var response = await client.SendAsync(BadRequestFor(input));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(code, await CreditPortalFixture.CodeOfAsync(response));
        Assert.Equal(20, await portal.BalanceAsync(workspace.Id, KeyEnvironment.Test));
        Assert.DoesNotContain(await portal.EntriesAsync(workspace.Id, KeyEnvironment.Test), e => e.Type == LedgerEntryType.Consume);
    }

    [Fact]
    public async Task Replaying_a_key_with_a_different_amount_is_refused_with_422()
    {
        var workspace = await portal.CreateWorkspaceAsync();
        using var client = portal.ClientWith(workspace.TestSecretKey);
        using var first = await client.SendAsync(CreditPortalFixture.Consume(2, "order-1"));

        using var second = await client.SendAsync(CreditPortalFixture.Consume(3, "order-1"));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, second.StatusCode);
        Assert.Equal(CreditProblems.IdempotencyKeyReused, await CreditPortalFixture.CodeOfAsync(second));
        Assert.Equal(18, await portal.BalanceAsync(workspace.Id, KeyEnvironment.Test));
    }

    [Fact]
    public async Task A_replay_returns_the_original_answer_with_the_replayed_header()
    {
        var workspace = await portal.CreateWorkspaceAsync();
        using var client = portal.ClientWith(workspace.TestSecretKey);
        using var first = await client.SendAsync(CreditPortalFixture.Consume(2, "order-2"));
        await client.SendAsync(CreditPortalFixture.Consume(1));

        using var replay = await client.SendAsync(CreditPortalFixture.Consume(2, "order-2"));

        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.False(first.Headers.Contains(CreditEndpoints.ReplayedHeader));
        Assert.Equal("true", Assert.Single(replay.Headers.GetValues(CreditEndpoints.ReplayedHeader)));
        Assert.Equal(await first.Content.ReadAsStringAsync(), await replay.Content.ReadAsStringAsync());
        Assert.Equal(17, await portal.BalanceAsync(workspace.Id, KeyEnvironment.Test));
    }

    [Fact]
    public async Task A_replay_after_a_402_returns_the_same_402_even_once_credits_arrived()
    {
        var workspace = await portal.CreateWorkspaceAsync();
        using var client = portal.ClientWith(workspace.LiveSecretKey);
        using var first = await client.SendAsync(CreditPortalFixture.Consume(1, "order-3"));
        await portal.Service<CreditLedger>().GrantAsync(workspace.Id, KeyEnvironment.Production, 5, "test operator");

        using var replay = await client.SendAsync(CreditPortalFixture.Consume(1, "order-3"));

        Assert.Equal((HttpStatusCode.PaymentRequired, HttpStatusCode.PaymentRequired), (first.StatusCode, replay.StatusCode));
        Assert.Equal(CreditProblems.InsufficientCredits, await CreditPortalFixture.CodeOfAsync(replay));
        Assert.Equal("true", Assert.Single(replay.Headers.GetValues(CreditEndpoints.ReplayedHeader)));
        Assert.Equal(await first.Content.ReadAsStringAsync(), await replay.Content.ReadAsStringAsync());
        Assert.Equal(5, await portal.BalanceAsync(workspace.Id, KeyEnvironment.Production));
    }

    [Fact]
    public async Task An_invalid_request_does_not_use_up_its_idempotency_key()
    {
        var workspace = await portal.CreateWorkspaceAsync();
        using var client = portal.ClientWith(workspace.TestSecretKey);
        using var invalid = await client.SendAsync(CreditPortalFixture.Consume("order-4", """{"amount":0}"""));

        using var valid = await client.SendAsync(CreditPortalFixture.Consume(1, "order-4"));

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.Created), (invalid.StatusCode, valid.StatusCode));
    }

    [Fact]
    public async Task Consuming_credits_sends_a_notification_on_the_credit_channel()
    {
        var workspace = await portal.CreateWorkspaceAsync();
        var feed = portal.Service<ChangeFeed>();
        var heard = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = $"probe-{Guid.NewGuid():N}";
        void OnNotified(string channel, string payload)
        {
            if (channel == ChangeFeed.CreditChannel && payload == probe)
            {
                listening.TrySetResult();
            }
            else if (channel == ChangeFeed.CreditChannel && ChangePayload.WorkspaceOf(payload) == workspace.Id)
            {
                heard.TrySetResult(payload);
            }
        }

        feed.Notified += OnNotified;
        try
        {
            await WaitUntilListeningAsync(listening.Task, probe);
            using var client = portal.ClientWith(workspace.TestSecretKey);

            using var response = await client.SendAsync(CreditPortalFixture.Consume(1));

            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            Assert.Equal(ChangePayload.For(workspace.Id, "Test"), await heard.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        }
        finally
        {
            feed.Notified -= OnNotified;
        }
    }

    [Fact]
    public async Task The_openapi_document_describes_both_credit_endpoints()
    {
        using var client = portal.ClientWith(null);

        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var paths = document.GetProperty("paths");
        Assert.Equal("GetCredits", paths.GetProperty("/api/v1/credits").GetProperty("get").GetProperty("operationId").GetString());
        var consume = paths.GetProperty("/api/v1/credits/consume").GetProperty("post");
        Assert.Equal("ConsumeCredits", consume.GetProperty("operationId").GetString());
        Assert.Contains(consume.GetProperty("parameters").EnumerateArray(),
            p => p.GetProperty("name").GetString() == "Idempotency-Key" && p.GetProperty("in").GetString() == "header");
        Assert.True(consume.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
        foreach (var status in new[] { "201", "400", "402", "409", "422" })
        {
            Assert.True(consume.GetProperty("responses").TryGetProperty(status, out _), $"consume documents {status}");
        }
    }

    // The listener connects in the background: until a probe of our own comes back, a notification could be missed.
    private async Task WaitUntilListeningAsync(Task listening, string probe)
    {
        var connectionString = portal.Portal.ConnectionString;
        for (var attempt = 0; attempt < 100 && !listening.IsCompleted; attempt++)
        {
            await using (var connection = new Npgsql.NpgsqlConnection(connectionString))
            {
                await connection.OpenAsync();
                await using var notify = new Npgsql.NpgsqlCommand($"SELECT pg_notify('{ChangeFeed.CreditChannel}', '{probe}')", connection);
                await notify.ExecuteNonQueryAsync();
            }

            await Task.WhenAny(listening, Task.Delay(100));
        }

        Assert.True(listening.IsCompleted, "the change feed never started listening");
    }

    private static HttpRequestMessage BadRequestFor(string input)
    {
        var key = Guid.NewGuid().ToString();
        return input switch
        {
            "no idempotency key" => CreditPortalFixture.Consume(null, """{"amount":1}"""),
            "empty idempotency key" => CreditPortalFixture.Consume("", """{"amount":1}"""),
            "idempotency key of 256 characters" => CreditPortalFixture.Consume(new string('k', 256), """{"amount":1}"""),
            "idempotency key with a control character" => CreditPortalFixture.Consume("a\u0001b", """{"amount":1}"""),
            "reference of 201 characters" => CreditPortalFixture.Consume(key, $$"""{"reference":"{{new string('r', 201)}}"}"""),
            "not json at all" => CreditPortalFixture.Consume(key, "amount=1"),
            "invalid utf-8" => WithContent(key, new ByteArrayContent([0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D]), "application/json"),
            "text/plain body" => WithContent(key, new StringContent("""{"amount":1}""", Encoding.UTF8, "text/plain"), null),
            "form body" => WithContent(key, new FormUrlEncodedContent([new("amount", "1")]), null),
            "body over 4 KB" => CreditPortalFixture.Consume(key, """{"amount":1}""" + new string(' ', 5000)),
            "chunked body over 4 KB" => WithContent(key, new StreamContent(new MemoryStream(
                Encoding.UTF8.GetBytes("""{"amount":1}""" + new string(' ', 5000)))), "application/json", chunked: true),
            "public key" or "no key" or "malformed authorization" => CreditPortalFixture.Consume(1, key),
            _ => CreditPortalFixture.Consume(key, input),
        };
    }

    private static HttpRequestMessage WithContent(string key, HttpContent content, string? contentType, bool chunked = false)
    {
        var request = CreditPortalFixture.Consume(key);
        request.Content = content;
        if (contentType is not null)
        {
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        }

        if (chunked)
        {
            request.Headers.TransferEncodingChunked = true;
        }

        return request;
    }

    private static async Task<(HttpStatusCode StatusCode, bool Replayed, string Body)[]> SendInParallelAsync(HttpClient client, int count,
        Func<HttpRequestMessage> request)
    {
        using var start = new SemaphoreSlim(0);
        var requests = Enumerable.Range(0, count).Select(async _ =>
        {
            using var message = request();
            await start.WaitAsync();
            using var response = await client.SendAsync(message);
            var replayed = response.Headers.TryGetValues(CreditEndpoints.ReplayedHeader, out var values) && values.Single() == "true";
            return (response.StatusCode, Replayed: replayed, Body: await response.Content.ReadAsStringAsync());
        }).ToList();
        start.Release(requests.Count);
        return await Task.WhenAll(requests);
    }
}
