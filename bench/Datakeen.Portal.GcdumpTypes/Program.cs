using System.Globalization;
using Graphs;

// The objects of a .gcdump by type (count and bytes), or what a second dump holds more than a first, divided by a
// number (the circuits opened between the two dumps): "per circuit" by type (docs/benchmarks.md, issue 21, fifth stop).
//   Datakeen.Portal.GcdumpTypes <dump> [<later dump> <divisor>]     TOP (default 60): rows printed
if (args.Length is not (1 or 3))
{
    Console.Error.WriteLine("usage: Datakeen.Portal.GcdumpTypes <dump> [<later dump> <divisor>]");
    return 2;
}

var first = Load(args[0]);
var second = args.Length == 3 ? Load(args[1]) : null;
var divisor = args.Length == 3 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 1;
var rows = second is null
    ? first.Select(kv => (Type: kv.Key, kv.Value.Count, kv.Value.Bytes))
    : second.Keys.Union(first.Keys).Select(type => (Type: type,
        Count: second.GetValueOrDefault(type).Count - first.GetValueOrDefault(type).Count,
        Bytes: second.GetValueOrDefault(type).Bytes - first.GetValueOrDefault(type).Bytes));
var list = rows.ToList();
var top = int.TryParse(Environment.GetEnvironmentVariable("TOP"), out var n) ? n : 60;
Console.WriteLine(FormattableString.Invariant($"total_kb={list.Sum(r => r.Bytes) / divisor / 1024:F1}"));
foreach (var (type, count, bytes) in list.OrderByDescending(r => r.Bytes).Take(top))
{
    Console.WriteLine(FormattableString.Invariant($"{bytes / divisor,10:F0} B {count / divisor,9:F2} x  {type}"));
}
return 0;

static Dictionary<string, (long Count, long Bytes)> Load(string path)
{
    var graph = new GCHeapDump(path).MemoryGraph;
    var byType = new Dictionary<string, (long Count, long Bytes)>(StringComparer.Ordinal);
    var node = graph.AllocNodeStorage();
    var type = graph.AllocTypeNodeStorage();
    for (NodeIndex i = 0; i < graph.NodeIndexLimit; i++)
    {
        var current = graph.GetNode(i, node);
        if (current.Size == 0)
        {
            continue;
        }

        var name = current.GetType(type).Name;
        var (count, bytes) = byType.GetValueOrDefault(name);
        byType[name] = (count + 1, bytes + current.Size);
    }
    return byType;
}
