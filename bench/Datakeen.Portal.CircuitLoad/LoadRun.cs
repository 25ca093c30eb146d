using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Datakeen.Portal.CircuitLoad;

// Opens CIRCUITS (500) circuits on /w/{slug}/api with the clients of BlazorCircuitClient (OPEN_PARALLEL at a
// time), measures the portal process's managed heap and RSS after a full GC at WARMUP circuits and at CIRCUITS,
// then makes CONSUMES (20) calls to POST /api/v1/credits/consume, one at a time, and times each from the request
// to the render batch that carries the new balance, on every open circuit.
internal static partial class LoadRun
{
    public static async Task<int> RunAsync()
    {
        var circuits = Setting("CIRCUITS", 500);
        var warmup = Math.Min(Setting("WARMUP", 20), circuits);
        var consumes = Setting("CONSUMES", 20);
        var parallel = Setting("OPEN_PARALLEL", 8);

        // Run as "dotnet Datakeen.Portal.CircuitLoad.dll" or as the apphost: start the server the same way.
        var viaDotnet = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet";
        var serverStart = new ProcessStartInfo(Environment.ProcessPath!, viaDotnet ? [typeof(LoadRun).Assembly.Location, "serve"] : ["serve"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var server = Process.Start(serverStart)!;
        var info = JsonSerializer.Deserialize<ServerInfo>(await ReadAnswerAsync(server))!;
        var clients = new List<BlazorCircuitClient>();
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { UseCookies = false, MaxConnectionsPerServer = 64 })
            {
                Timeout = TimeSpan.FromMinutes(2),
            };
            var page = new Uri($"{info.Url}/w/{info.Slug}/api");
            var (balance, granted) = await ReadMeterAsync(http, page, info.Cookie);
            Console.Error.WriteLine($"portal pid {info.Pid} on {info.Url}; meter {balance} / {granted}");
            // A short warm-up first (JIT, connection pools), then the measured run.
            await RenderPagesAsync(http, page, info.Cookie, 3, Setting("PAGE_CONNECTIONS", 8));
            var before = await StatsAsync(server);
            var pages = await RenderPagesAsync(http, page, info.Cookie, Setting("PAGE_SECONDS", 10), Setting("PAGE_CONNECTIONS", 8));
            var after = await StatsAsync(server);
            // PAGE_TRACE=<dotnet-trace> and PAGE_TRACE_OUT=<file.nettrace>: a second page run of PAGE_SECONDS under
            // dotnet-trace's thread-time sampling (bench/circuit-load.sh PROFILE=1), after the measured one so that
            // the sampler's own CPU never counts in page_cpu_ms.
            if (Environment.GetEnvironmentVariable("PAGE_TRACE") is { Length: > 0 } trace)
            {
                await TracePagesAsync(trace, Environment.GetEnvironmentVariable("PAGE_TRACE_OUT")!, info.Pid,
                    () => RenderPagesAsync(http, page, info.Cookie, Setting("PAGE_SECONDS", 10) + 2, Setting("PAGE_CONNECTIONS", 8)));
            }

            var baseline = await SampleAsync(server);
            await OpenAsync(clients, warmup, http, page, info.Cookie, Text(balance, granted), parallel);
            var atWarmup = await SampleAsync(server);
            var opening = Stopwatch.StartNew();
            await OpenAsync(clients, circuits, http, page, info.Cookie, Text(balance, granted), parallel);
            opening.Stop();
            var atFull = await SampleAsync(server);
            Console.Error.WriteLine($"opened {clients.Count} circuits ({circuits - warmup} in {opening.Elapsed.TotalSeconds:F1} s); server counts {atFull.Circuits}");
            await server.StandardInput.WriteLineAsync("census");
            var census = JsonSerializer.Deserialize<CensusResult>(await ReadAnswerAsync(server))!;
            // FOOTPRINT=1: what one circuit holds on its own, by type (slow: reflection over the whole graph).
            FootprintResult? footprint = null;
            if (Setting("FOOTPRINT", 0) > 0)
            {
                await server.StandardInput.WriteLineAsync("footprint");
                footprint = JsonSerializer.Deserialize<FootprintResult>(await ReadAnswerAsync(server))!;
            }

            // HOLD_SECONDS: time to inspect the portal process with the circuits open (dotnet-gcdump collect -p PID).
            using var pings = new Timer(_ => clients.ForEach(c => _ = c.PingAsync()), null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));
            if (Setting("HOLD_SECONDS", 0) is > 0 and var hold)
            {
                Console.Error.WriteLine($"holding {hold} s: portal pid {info.Pid}");
                await Task.Delay(TimeSpan.FromSeconds(hold));
            }
            var perMeter = new List<double>();
            var lastMeter = new List<double>();
            var missed = 0;
            for (var i = 0; i < consumes; i++)
            {
                balance--;
                var text = Text(balance, granted);
                var waits = clients.Select(c => c.Await(text)).ToArray();
                var start = Stopwatch.GetTimestamp();
                using (var consume = new HttpRequestMessage(HttpMethod.Post, $"{info.Url}/api/v1/credits/consume"))
                {
                    consume.Headers.Authorization = new AuthenticationHeaderValue("Bearer", info.Key);
                    consume.Headers.Add("Idempotency-Key", $"fan-out-{i}-{Guid.NewGuid():N}");
                    using var answer = await http.SendAsync(consume);
                    answer.EnsureSuccessStatusCode();
                }
                var all = Task.WhenAll(waits);
                await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(30)));
                var times = waits.Where(w => w.IsCompletedSuccessfully).Select(w => Stopwatch.GetElapsedTime(start, w.Result).TotalMilliseconds).ToList();
                missed += waits.Length - times.Count;
                perMeter.AddRange(times);
                lastMeter.Add(times.Count == 0 ? double.NaN : times.Max());
                await Task.Delay(300);
            }

            var ms = (double v) => v.ToString("F0", CultureInfo.InvariantCulture);
            var heapPerCircuit = (atFull.Heap - atWarmup.Heap) / (double)(circuits - warmup) / 1024;
            var rssPerCircuit = (atFull.Rss - atWarmup.Rss) / (double)(circuits - warmup) / 1024;
            Console.WriteLine($"circuits_open={atFull.Circuits}");
            Console.WriteLine($"heap_baseline_mb={atWarmup.Heap / 1048576.0:F1} heap_before_mb={baseline.Heap / 1048576.0:F1} heap_full_mb={atFull.Heap / 1048576.0:F1}");
            Console.WriteLine($"heap_per_circuit_kb={heapPerCircuit:F0}");
            Console.WriteLine($"rss_per_circuit_kb={rssPerCircuit:F0}");
            Console.WriteLine($"fanout_meter_p50_ms={ms(Percentile(perMeter, 50))} fanout_meter_p99_ms={ms(Percentile(perMeter, 99))}");
            Console.WriteLine($"fanout_last_meter_p50_ms={ms(Percentile(lastMeter, 50))} fanout_last_meter_p99_ms={ms(Percentile(lastMeter, 99))} consumes={consumes} missed_updates={missed}");
            Console.WriteLine(FormattableString.Invariant(
                $"page_renders_per_second={pages.PerSecond:F0} page_p50_ms={pages.P50:F1} page_p99_ms={pages.P99:F1} page_connections={Setting("PAGE_CONNECTIONS", 8)}"));
            // Independent of the machine's load: the portal process's CPU time and database round trips per page.
            Console.WriteLine(FormattableString.Invariant(
                $"page_cpu_ms={(after.CpuMs - before.CpuMs) / pages.Count:F2} page_queries={(after.Commands - before.Commands) / (double)pages.Count:F2} pages={pages.Count}"));
            Console.WriteLine(FormattableString.Invariant(
                $"page_alloc_kb={(after.AllocatedBytes - before.AllocatedBytes) / 1024.0 / pages.Count:F0} page_gen0_per_100={(after.Gen0Collections - before.Gen0Collections) * 100.0 / pages.Count:F1}"));
            foreach (var (text, count) in after.ByText.Select(c => (c.Key, c.Value - before.ByText.GetValueOrDefault(c.Key))).Where(c => c.Item2 > 0).OrderByDescending(c => c.Item2))
            {
                Console.Error.WriteLine(FormattableString.Invariant($"page query x{count / (double)pages.Count:F2}: {text.ReplaceLineEndings(" ")}"));
            }
            Console.WriteLine($"components_per_circuit={census.ComponentsPerCircuit:F1} frame_buffers_per_circuit_kb={census.FrameBufferBytesPerCircuit / 1024:F0} census_circuits={census.Circuits}");
            foreach (var (type, entry) in census.ByType)
            {
                Console.WriteLine($"census {type}={entry.Count:0.##} frames_each_b={entry.FrameBytesEach:F0} frames_used_each={entry.FramesUsedEach:F0}");
            }
            if (footprint is not null)
            {
                Console.WriteLine($"footprint_one_circuit_kb={footprint.Bytes / 1024.0:F0} objects={footprint.Objects}");
                foreach (var (type, entry) in footprint.ByType)
                {
                    Console.WriteLine($"footprint {type} bytes={entry.Bytes} count={entry.Count}");
                }
            }
            foreach (var (identifier, count) in BlazorCircuitClient.JsCalls.OrderByDescending(c => c.Value))
            {
                Console.Error.WriteLine($"js call {identifier}: {count}");
            }
            foreach (var error in clients.Select(c => c.Error).OfType<string>().GroupBy(e => e))
            {
                Console.Error.WriteLine($"client error x{error.Count()}: {error.Key}");
            }
            return 0;
        }
        finally
        {
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
            await server.StandardInput.WriteLineAsync("quit");
            await server.WaitForExitAsync();
        }
    }

    // The signed-in tab rendered (prerendered, no circuit opened) by PAGE_CONNECTIONS clients in a loop for
    // PAGE_SECONDS, as `wrk -c8` does against ./run.sh: pages per second and latency percentiles.
    private static async Task<(double PerSecond, double P50, double P99, int Count)> RenderPagesAsync(HttpClient http, Uri page, string cookie,
        int seconds, int connections)
    {
        var latencies = new List<double>();
        var until = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
        {
            var mine = new List<double>();
            while (Stopwatch.GetTimestamp() < until)
            {
                var start = Stopwatch.GetTimestamp();
                using var request = new HttpRequestMessage(HttpMethod.Get, page);
                request.Headers.Add("Cookie", cookie);
                using var response = await http.SendAsync(request);
                response.EnsureSuccessStatusCode();
                await response.Content.LoadIntoBufferAsync();
                mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            lock (latencies)
            {
                latencies.AddRange(mine);
            }
        }));
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return (latencies.Count / elapsed, Percentile(latencies, 50), Percentile(latencies, 99), latencies.Count);
    }

    private static async Task TracePagesAsync(string tool, string output, int pid, Func<Task> load)
    {
        var pages = load();
        await Task.Delay(TimeSpan.FromSeconds(1));
        var seconds = Setting("PAGE_SECONDS", 10);
        // PAGE_TRACE_KIND=alloc: the runtime's GC events at verbose level (GCAllocationTick about every 100 KB allocated,
        // with the type and the allocating stack) plus loader and JIT events to name the frames; otherwise thread time.
        string[] what = Environment.GetEnvironmentVariable("PAGE_TRACE_KIND") == "alloc"
            ? ["--providers", "Microsoft-Windows-DotNETRuntime:0x19:5"]
            : ["--profile", "dotnet-sampled-thread-time"];
        using var trace = Process.Start(new ProcessStartInfo(tool, ["collect", "-p", pid.ToString(CultureInfo.InvariantCulture),
            .. what, "--duration", $"00:00:00:{seconds:00}", "-o", output])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        await trace.StandardOutput.ReadToEndAsync();
        await trace.WaitForExitAsync();
        await pages;
        Console.Error.WriteLine($"page trace: {output} (dotnet-trace exit {trace.ExitCode})");
    }

    private static async Task OpenAsync(List<BlazorCircuitClient> clients, int target, HttpClient http, Uri page, string cookie,
        string meterText, int parallel)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = parallel };
        await Parallel.ForEachAsync(Enumerable.Range(clients.Count, target - clients.Count), options, async (_, ct) =>
        {
            var client = await BlazorCircuitClient.OpenAsync(http, page, cookie, meterText, ct);
            lock (clients)
            {
                clients.Add(client);
            }
        });
    }

    private static async Task<CommandStats> StatsAsync(Process server)
    {
        await server.StandardInput.WriteLineAsync("stats");
        return JsonSerializer.Deserialize<CommandStats>(await ReadAnswerAsync(server))!;
    }

    private static async Task<HeapSample> SampleAsync(Process server)
    {
        // Let the renders and JS interop replies of the circuits just opened finish first.
        await Task.Delay(TimeSpan.FromSeconds(3));
        await server.StandardInput.WriteLineAsync("gc");
        return JsonSerializer.Deserialize<HeapSample>(await ReadAnswerAsync(server))!;
    }

    // The portal logs to the same stdout: the harness's answers are the lines that start with ServeMode.Prefix.
    private static async Task<string> ReadAnswerAsync(Process server)
    {
        while (await server.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith(ServeMode.Prefix, StringComparison.Ordinal))
            {
                return line[ServeMode.Prefix.Length..];
            }
            Console.Error.WriteLine("portal: " + line);
        }
        throw new InvalidOperationException("The portal process ended");
    }

    private static async Task<(long Balance, long Granted)> ReadMeterAsync(HttpClient http, Uri page, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, page);
        request.Headers.Add("Cookie", cookie);
        using var response = await http.SendAsync(request);
        var html = await response.Content.ReadAsStringAsync();
        // PAGE_HTML: keep the prerendered tab, to compare the markup of two versions.
        if (Environment.GetEnvironmentVariable("PAGE_HTML") is { Length: > 0 } path)
        {
            await File.WriteAllTextAsync(path, html);
        }
        var match = MeterText().Match(html);
        return match.Success
            ? (long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture))
            : throw new InvalidOperationException("The prerendered tab shows no credit meter");
    }

    private static string Text(long balance, long granted) => $"{balance} of {granted} test credits remaining";

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }
        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var value) ? value : fallback;

    [GeneratedRegex("aria-valuetext=\"(\\d+) of (\\d+) test credits remaining\"")]
    private static partial Regex MeterText();
}
