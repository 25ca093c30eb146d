using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;

namespace Datakeen.Portal.CircuitLoad;

// The reference figure beside the tab's (issue 21): the stock `dotnet new blazor --interactivity Server` app's
// /counter, opened with the same Blazor hub client and measured the same way (managed heap after two forced full,
// compacting collections, at WARMUP circuits and at CIRCUITS; per circuit = the difference / the circuits between).
// bench/stock-circuit.sh generates the app, adds the one measuring endpoint (/_heap) and passes its URL.
internal static class StockRun
{
    public static async Task<int> RunAsync(string baseUrl)
    {
        var circuits = Setting("CIRCUITS", 500);
        var warmup = Math.Min(Setting("WARMUP", 20), circuits);
        var parallel = Setting("OPEN_PARALLEL", 8);
        using var http = new HttpClient(new SocketsHttpHandler { UseCookies = false, MaxConnectionsPerServer = 64 })
        {
            Timeout = TimeSpan.FromMinutes(2),
        };
        var page = new Uri($"{baseUrl}/counter");
        var clients = new List<BlazorCircuitClient>();
        try
        {
            await OpenAsync(clients, warmup, http, page, parallel);
            var atWarmup = await SampleAsync(http, baseUrl);
            var opening = Stopwatch.StartNew();
            await OpenAsync(clients, circuits, http, page, parallel);
            opening.Stop();
            var atFull = await SampleAsync(http, baseUrl);
            Console.Error.WriteLine($"opened {clients.Count} stock circuits ({circuits - warmup} in {opening.Elapsed.TotalSeconds:F1} s)");
            var heap = (atFull.Heap - atWarmup.Heap) / (double)(circuits - warmup) / 1024;
            var rss = (atFull.Rss - atWarmup.Rss) / (double)(circuits - warmup) / 1024;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"stock_circuits={clients.Count} stock_heap_per_circuit_kb={heap:F1} stock_rss_per_circuit_kb={rss:F1}"));
            return 0;
        }
        finally
        {
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
        }
    }

    private static async Task OpenAsync(List<BlazorCircuitClient> clients, int target, HttpClient http, Uri page, int parallel)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = parallel };
        await Parallel.ForEachAsync(Enumerable.Range(clients.Count, target - clients.Count), options, async (_, ct) =>
        {
            // The stock app has no sign-in: any cookie header will do. Open once the counter rendered interactively.
            var client = await BlazorCircuitClient.OpenAsync(http, page, "stock=1", "Current count: ", ct);
            lock (clients)
            {
                clients.Add(client);
            }
        });
    }

    private static async Task<StockSample> SampleAsync(HttpClient http, string baseUrl) =>
        (await http.GetFromJsonAsync<StockSample>($"{baseUrl}/_heap"))!;

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var value) ? value : fallback;

    private sealed record StockSample(long Heap, long Rss);
}
