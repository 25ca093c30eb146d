using System.Globalization;

// Where the machine's CPU went between two moments (bench/failover.sh: from the SIGKILL until the last tab was back),
// by kind of process: the browser, the portal instances, PostgreSQL, nginx, Redis, the sign-in provider, this harness
// (with Playwright's driver), the rest. Read from /proc: each process's utime + stime, and the machine's busy time
// from /proc/stat. A process that ended in between is not counted (the killed instance spends nothing after the kill).
internal sealed class ProcessCpu
{
    // USER_HZ: the unit of /proc's CPU times, 100 on every Linux architecture the portal runs on.
    private const double TicksPerSecond = 100;

    private readonly Dictionary<int, (string Group, long Ticks)> _processes;
    private readonly long _busyTicks;
    private readonly DateTime _at;

    private ProcessCpu(Dictionary<int, (string, long)> processes, long busyTicks, DateTime at)
    {
        _processes = processes;
        _busyTicks = busyTicks;
        _at = at;
    }

    // portal: the process ids of the cluster's instances (other portals on the machine count as "other").
    public static ProcessCpu Now(IReadOnlyCollection<int> portal)
    {
        var read = new Dictionary<int, (int Parent, string Name, string Command, long Ticks)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }
            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                // Fields after the command's closing parenthesis: state, ppid, … utime (14th field), stime (15th).
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                var name = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
                var command = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ');
                read[pid] = (int.Parse(fields[1], CultureInfo.InvariantCulture), name, command, ticks);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // The process ended while it was read.
            }
        }

        var processes = read.ToDictionary(p => p.Key, p => (Group(p.Key, p.Value.Name, p.Value.Command), p.Value.Ticks));
        return new ProcessCpu(processes, MachineBusyTicks(), DateTime.UtcNow);

        string Group(int pid, string name, string command)
        {
            if (portal.Contains(pid))
            {
                return "portal";
            }
            if (DescendsFromThisHarness(pid))
            {
                // The browser Playwright started for this harness, or the harness and Playwright's driver.
                return command.Contains("chrom", StringComparison.OrdinalIgnoreCase) ? "chromium" : "harness";
            }
            return name switch
            {
                _ when name.StartsWith("postgres", StringComparison.Ordinal) => "postgresql",
                _ when name.StartsWith("nginx", StringComparison.Ordinal) => "nginx",
                _ when name.StartsWith("redis", StringComparison.Ordinal) => "redis",
                _ when command.Contains("Datakeen.Portal.DevIdentity", StringComparison.Ordinal) => "oidc",
                _ => "other",
            };
        }

        bool DescendsFromThisHarness(int pid)
        {
            for (var hops = 0; pid > 1 && hops < 64; hops++)
            {
                if (pid == Environment.ProcessId)
                {
                    return true;
                }
                pid = read.TryGetValue(pid, out var process) ? process.Parent : 0;
            }
            return false;
        }
    }

    // "window_s=… capacity_cpu_s=… busy_cpu_s=… chromium=… portal=… …": CPU seconds spent from `before` until now.
    public string Since(ProcessCpu before)
    {
        var spent = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (pid, (group, ticks)) in _processes)
        {
            var earlier = before._processes.TryGetValue(pid, out var b) ? b.Ticks : 0;
            spent[group] = spent.GetValueOrDefault(group) + Math.Max(0, ticks - earlier);
        }
        var window = (_at - before._at).TotalSeconds;
        var parts = new List<string>
        {
            Format("window_s", window),
            Format("capacity_cpu_s", window * Environment.ProcessorCount),
            Format("busy_cpu_s", (_busyTicks - before._busyTicks) / TicksPerSecond),
        };
        parts.AddRange(spent.OrderByDescending(s => s.Value).Select(s => Format(s.Key, s.Value / TicksPerSecond)));
        return string.Join(' ', parts);

        static string Format(string name, double value) => FormattableString.Invariant($"{name}={value:F2}");
    }

    // /proc/stat's first line: user nice system idle iowait irq softirq steal …; busy = all but idle and iowait.
    private static long MachineBusyTicks()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Take(8).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        return fields.Sum() - fields[3] - fields[4];
    }
}
