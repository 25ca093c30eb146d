using BenchmarkDotNet.Running;
using Datakeen.Portal.Benchmarks;

BenchmarkSwitcher.FromAssembly(typeof(KeyVerificationBenchmarks).Assembly).Run(args);
