using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.ApiKeys.Activity;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Datakeen.Portal.Tests.ApiKeys;

// KeyActivityRecorder coalesces at record time (docs/key-activity.md): one entry per caller and flush, with a count.
public sealed class KeyActivityRecorderTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 1, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Identical_requests_are_one_entry_with_their_count_the_first_time_and_the_newest_time_and_request_id()
    {
        var recorder = Recorder();
        var key = Key();
        for (var i = 1; i <= 5; i++)
        {
            recorder.Record(key, Request("curl/8.5.0", $"req-{i}"), ActivityOutcomes.Ok);
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        var entry = Assert.Single(recorder.Take());
        Assert.Equal(5, entry.Requests);
        Assert.Equal("req-5", entry.RequestId);
        Assert.Equal(_time.GetUtcNow().AddMilliseconds(-100), entry.At);
        Assert.Equal(_time.GetUtcNow().AddMilliseconds(-500), entry.FirstAt);
        Assert.Equal((key.KeyId, key.WorkspaceId, "GET", "/api/v1/whoami", "203.0.113.7"),
            (entry.KeyId, entry.WorkspaceId, entry.RouteKind, entry.Path, entry.ClientAddress));
        // Taken means gone: the next flush starts from nothing.
        Assert.Empty(recorder.Take());
    }

    [Fact]
    public void A_different_user_agent_outcome_origin_address_route_or_key_is_a_different_entry()
    {
        var recorder = Recorder();
        var key = Key();
        var request = Request("curl/8.5.0", "r");
        recorder.Record(key, request, ActivityOutcomes.Ok);
        recorder.Record(key, request, ActivityOutcomes.Ok);
        recorder.Record(key, request with { UserAgent = "worker/1.2" }, ActivityOutcomes.Ok);
        recorder.Record(key, request with { UserAgent = null }, ActivityOutcomes.Ok);
        recorder.Record(key, request, ActivityOutcomes.RateLimited);
        recorder.Record(key, request with { Origin = "https://app.example.com" }, ActivityOutcomes.Ok);
        recorder.Record(key, request with { Client = "198.51.100.4" }, ActivityOutcomes.Ok);
        recorder.Record(key, request with { Path = "/api/v1/credits" }, ActivityOutcomes.Ok);
        recorder.Record(Key(), request, ActivityOutcomes.Ok);

        var entries = recorder.Take();

        Assert.Equal(8, entries.Count);
        Assert.Equal(9, entries.Sum(e => e.Requests));
        Assert.Equal(2, entries.Single(e => e.KeyId == key.KeyId && e.UserAgent == "curl/8.5.0" && e.Outcome == ActivityOutcomes.Ok &&
                                            e.Origin is null && e.ClientAddress == "203.0.113.7" && e.Path == "/api/v1/whoami").Requests);
    }

    [Fact]
    public void Beyond_the_capacity_new_callers_are_dropped_but_known_callers_still_count()
    {
        var recorder = Recorder(capacity: 3);
        var key = Key();
        for (var i = 0; i < 10; i++)
        {
            recorder.Record(key, Request($"agent/{i}", "r"), ActivityOutcomes.Ok);
        }

        recorder.Record(key, Request("agent/0", "r"), ActivityOutcomes.Ok);

        var entries = recorder.Take();
        Assert.Equal(["agent/0", "agent/1", "agent/2"], entries.Select(e => e.UserAgent).Order());
        Assert.Equal(2, entries.Single(e => e.UserAgent == "agent/0").Requests);
        // The next flush has room again.
        recorder.Record(key, Request("agent/9", "r"), ActivityOutcomes.Ok);
        Assert.Equal("agent/9", Assert.Single(recorder.Take()).UserAgent);
    }

    [Fact]
    public async Task Requests_recorded_on_many_threads_while_the_writer_takes_are_each_counted_exactly_once()
    {
        var recorder = Recorder();
        var key = Key();
        const int Threads = 4, PerThread = 50_000;
        var taken = new List<ActivityEntry>();
        using var recording = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            while (!recording.IsCancellationRequested)
            {
                taken.AddRange(recorder.Take());
            }
        });

        await Task.WhenAll(Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                // Two callers per thread, and one caller shared by every thread.
                recorder.Record(key, Request(i % 3 == 0 ? "shared/1.0" : $"thread/{t}/{i % 2}", "r"), ActivityOutcomes.Ok);
            }
        })));
        await recording.CancelAsync();
        await writer;
        taken.AddRange(recorder.Take());

        Assert.Equal(Threads * PerThread, taken.Sum(e => e.Requests));
        Assert.Equal(Threads * (PerThread / 3 + 1), taken.Where(e => e.UserAgent == "shared/1.0").Sum(e => e.Requests));
    }

    private KeyActivityRecorder Recorder(int capacity = 1_000) =>
        new(Options.Create(new ApiKeyOptions { ActivityQueueCapacity = capacity }), _time);

    private static VerifiedKey Key() => new()
    {
        KeyId = Guid.NewGuid(),
        WorkspaceId = Guid.NewGuid(),
        WorkspaceName = "Recorder",
        WorkspaceSlug = "recorder",
        Environment = KeyEnvironment.Test,
        Kind = KeyKind.Secret,
        Hint = "dk_test_sk_…abcd",
    };

    private static AdmissionRequest Request(string? userAgent, string requestId) =>
        new("203.0.113.7", "GET", "/api/v1/whoami", Origin: null, userAgent, requestId);
}
