using System.Diagnostics;

namespace TeamsBot.Tests.Load;

/// <summary>
/// Other processes keeping every core busy while a test runs, as on a shared CI host: <c>stress-ng --cpu N</c> when it
/// is installed, else N shell loops. Stopped (killed) on dispose.
/// </summary>
public sealed class CpuLoad : IDisposable
{
    private readonly List<Process> _processes = [];

    private CpuLoad(int workers)
    {
        if (Which("stress-ng") is { } stress)
        {
            _processes.Add(Start(stress, $"--cpu {workers} --quiet"));
            Tool = "stress-ng";
        }
        else
        {
            for (var i = 0; i < workers; i++) _processes.Add(Start("/bin/sh", "-c \"while :; do :; done\""));
            Tool = "sh loops";
        }
    }

    /// <summary>What makes the load ("stress-ng" or "sh loops").</summary>
    public string Tool { get; }

    public static CpuLoad OnEveryCore() => new(Environment.ProcessorCount);

    private static Process Start(string file, string arguments) =>
        Process.Start(new ProcessStartInfo(file, arguments) { UseShellExecute = false, RedirectStandardOutput = false })
        ?? throw new InvalidOperationException($"Could not start {file}.");

    private static string? Which(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(dir => Path.Combine(dir, tool)).FirstOrDefault(File.Exists);

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            try
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
            process.Dispose();
        }
    }
}
