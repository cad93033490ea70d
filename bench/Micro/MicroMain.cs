using BenchmarkDotNet.Running;

namespace Bench.Micro;

/// <summary>dotnet run -c Release --project bench/Micro -- --filter '*'   (or '*TurnBenchmarks*', '*PartBenchmarks*')</summary>
public static class MicroMain
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(MicroMain).Assembly).Run(args);
}
