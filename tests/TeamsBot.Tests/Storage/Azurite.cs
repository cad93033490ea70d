using System.Diagnostics;
using Azure.Data.Tables;

namespace TeamsBot.Tests.Storage;

/// <summary>
/// Azurite's Table service for this test run: started once, on a free loopback port, by scripts/azurite (which installs
/// it with npm ci when missing and stops it if this process dies). A test that needs it and cannot get it fails: the
/// Azure half of the storage suite never skips.
/// </summary>
public sealed class Azurite
{
    // Azurite's published development account (https://learn.microsoft.com/azure/storage/common/storage-use-azurite): not a secret.
    private const string Account = "devstoreaccount1";
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly Lazy<Task<Azurite>> Shared = new(StartAsync);
    private static int _tables;

    private Azurite(int port, TimeSpan startTime)
    {
        Port = port;
        StartTime = startTime;
    }

    public int Port { get; }

    /// <summary>From process start to the first answer (installing excluded).</summary>
    public TimeSpan StartTime { get; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={Account};AccountKey={AccountKey};TableEndpoint=http://127.0.0.1:{Port}/{Account};";

    public static Task<Azurite> GetAsync() => Shared.Value;

    /// <summary>A table prefix no other test uses, so tests share the emulator without sharing data.</summary>
    public static string NewTablePrefix() => $"t{Environment.ProcessId}x{Interlocked.Increment(ref _tables)}x{Guid.NewGuid():N}"[..24];

    public TableServiceClient Client(TableClientOptions? options = null) => new(ConnectionString, options ?? new TableClientOptions());

    private static async Task<Azurite> StartAsync()
    {
        var script = Path.Combine(RepoRoot(), "scripts", "azurite");
        var install = await RunAsync(script, "--install", TimeSpan.FromMinutes(10));
        if (install.ExitCode != 0)
            throw new InvalidOperationException($"scripts/azurite --install failed ({install.ExitCode}):\n{install.Output}");

        var port = FreePort();
        var start = Stopwatch.StartNew();
        var process = Process.Start(new ProcessStartInfo("bash", [script, "--port", port.ToString(), "--parent-pid", Environment.ProcessId.ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("Could not start scripts/azurite.");
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null && output.Count < 200) output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null && output.Count < 200) output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(process);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.HasExited)
                throw new InvalidOperationException($"Azurite exited ({process.ExitCode}) before answering:\n{string.Join('\n', output)}");
            try
            {
                // Any HTTP answer (403 without a signature) means it is up.
                using var _ = await http.GetAsync($"http://127.0.0.1:{port}/{Account}/Tables");
                return new Azurite(port, start.Elapsed);
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(50);
        }
        Stop(process);
        throw new TimeoutException($"Azurite did not answer on port {port} within 60 s:\n{string.Join('\n', output)}");
    }

    private static void Stop(Process process)
    {
        try { if (!process.HasExited) process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
    }

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "TeamsBot.sln"))) return dir.FullName;
        throw new InvalidOperationException("TeamsBot.sln not found above " + AppContext.BaseDirectory);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string script, string args, TimeSpan timeout)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", [script, args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
