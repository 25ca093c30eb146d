using BenchmarkDotNet.Running;
using Datakeen.Portal.Benchmarks;

if (args is ["cpu-time", ..])
{
    CpuTime.Run();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(KeyVerificationBenchmarks).Assembly).Run(args);
