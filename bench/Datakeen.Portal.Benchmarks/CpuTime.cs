using System.Diagnostics;

namespace Datakeen.Portal.Benchmarks;

// `cpu-time`: the same operations as KeyVerificationBenchmarks, timed by the process's CPU time rather than the
// wall clock. On a machine shared with other busy processes, wall-clock figures include the time this thread
// spent descheduled; CPU time does not, so it shows what one verification costs.
public static class CpuTime
{
    public static void Run(int iterations = 2_000_000)
    {
        var benchmarks = new KeyVerificationBenchmarks();
        benchmarks.Setup();
        Measure("Parse", iterations, () => benchmarks.Parse());
        Measure("ParseAndDigest", iterations, () => benchmarks.ParseAndDigest());
        Measure("WarmCacheLookup", iterations, () => benchmarks.WarmCacheLookup());
        Measure("VerifyWarm", iterations, () => benchmarks.VerifyWarm());
        var sha = new Sha256Benchmarks();
        Measure("Sha256OneShot", iterations, () => sha.OneShot());
        Measure("Sha256Reused", iterations, () => sha.ReusedIncremental());
    }

    private static void Measure<T>(string name, int iterations, Func<T> operation)
    {
        for (var i = 0; i < iterations / 10; i++)
        {
            operation();
        }

        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < iterations; i++)
        {
            operation();
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        wall.Stop();
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        Console.WriteLine(
            $"{name,-16} cpu {cpu.TotalNanoseconds / iterations,8:F0} ns/op   wall {wall.Elapsed.TotalNanoseconds / iterations,8:F0} ns/op   " +
            $"allocated {(double)allocated / iterations:F1} B/op");
    }
}
