using System.Globalization;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

// Usage: Datakeen.Portal.AllocTop <file.nettrace> [top] — the GCAllocationTick events of a trace taken with
// Microsoft-Windows-DotNETRuntime:0x19:5 (GC, loader, JIT; verbose). Each tick stands for about 100 KB allocated since
// the previous one, so the shares below are shares of allocated bytes (sampled). Frames are resolved from the trace's
// rundown. STACKS=<text>: also prints the heaviest whole stacks that contain a frame with that text.
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: Datakeen.Portal.AllocTop <file.nettrace> [top]");
    return 2;
}

var top = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30;
var filter = Environment.GetEnvironmentVariable("STACKS");
using var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(args[0]));
var byType = new Dictionary<string, long>();
var byFrame = new Dictionary<string, long>();
var byTypeAndFrame = new Dictionary<string, long>();
var inclusive = new Dictionary<string, long>();
var stacks = new Dictionary<string, long>();
long total = 0;
var ticks = 0;
foreach (var data in log.Events)
{
    if (data is not GCAllocationTickTraceData tick)
    {
        continue;
    }

    long amount = tick.AllocationAmount64 > 0 ? tick.AllocationAmount64 : tick.AllocationAmount;
    ticks++;
    total += amount;
    var type = tick.TypeName ?? "?";
    Add(byType, type, amount);
    string? leaf = null;
    string? first = null;
    var seen = new HashSet<string>();
    var frames = new List<string>();
    var hit = false;
    for (var frame = data.CallStack(); frame is not null; frame = frame.Caller)
    {
        var method = frame.CodeAddress.FullMethodName is { Length: > 0 } name ? name : frame.CodeAddress.ModuleName + "!?";
        leaf ??= method;
        // The first frame of the application or of the libraries it drives (not the BCL's collections or pools).
        if (first is null && Interesting(method))
        {
            first = method;
        }
        if (seen.Add(method))
        {
            Add(inclusive, method, amount);
        }
        if (filter is not null)
        {
            hit |= method.Contains(filter, StringComparison.Ordinal);
            if (frames.Count < 50 && !method.StartsWith("System.Threading.", StringComparison.Ordinal))
            {
                frames.Add(method.Length > 160 ? method[..160] : method);
            }
        }
    }
    first ??= leaf ?? "(no stack)";
    Add(byFrame, first, amount);
    Add(byTypeAndFrame, type + "  <=  " + first, amount);
    if (hit)
    {
        Add(stacks, string.Join("\n            ", frames), amount);
    }
}

Console.WriteLine($"allocation ticks {ticks}, sampled {total / (1024 * 1024)} MB");
Print("by type", byType, top);
Print("by allocating frame (first frame in Datakeen, MudBlazor, ASP.NET Core, EF Core, Npgsql)", byFrame, top);
Print("by type and allocating frame", byTypeAndFrame, top);
Print("inclusive, by frame on the stack", inclusive, top * 3);
if (filter is not null)
{
    Print($"stacks through '{filter}'", stacks, 8);
}
return 0;

void Add(Dictionary<string, long> totals, string key, long amount) =>
    totals[key] = totals.GetValueOrDefault(key) + amount;

static bool Interesting(string method) =>
    method.StartsWith("Datakeen.", StringComparison.Ordinal)
    || method.StartsWith("MudBlazor.", StringComparison.Ordinal)
    || method.StartsWith("Microsoft.AspNetCore.", StringComparison.Ordinal)
    || method.StartsWith("Microsoft.EntityFrameworkCore.", StringComparison.Ordinal)
    || method.StartsWith("Npgsql", StringComparison.Ordinal);

void Print(string title, Dictionary<string, long> totals, int count)
{
    Console.WriteLine();
    Console.WriteLine($"== {title}");
    foreach (var (key, amount) in totals.OrderByDescending(x => x.Value).Take(count))
    {
        Console.WriteLine($"{100.0 * amount / total,6:F1} %  {key}");
    }
}
