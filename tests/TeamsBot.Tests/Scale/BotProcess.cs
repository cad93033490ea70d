using TeamsBot.Tests.Infrastructure;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using TeamsBot.Tests.Storage;

namespace TeamsBot.Tests.Scale;

/// <summary>
/// The built bot (src/TeamsBot) as a child process of its own: its own port, memory and instance id, configured by
/// environment variables like a deployed instance. It is stopped with the test, or when the test process dies.
/// </summary>
public sealed class BotProcess : IAsyncDisposable
{
    private readonly Process _wrapper;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly HttpClient _http;

    private BotProcess(string name, Process wrapper, int port)
    {
        Name = name;
        _wrapper = wrapper;
        BaseUrl = $"http://127.0.0.1:{port}";
        _http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
    }

    public string Name { get; }
    public string BaseUrl { get; }
    public int ProcessId { get; private set; }

    /// <summary>What the process wrote (console logs), in order.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    public string Output => string.Join('\n', _lines);

    public static async Task<BotProcess> StartAsync(string name, IReadOnlyDictionary<string, string> environment)
    {
        var bot = BotAssembly();
        var port = FreePort();
        var dotnet = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        // A shell wrapper that stops the bot when this test process ends, however it ends.
        var script = $"""
            "$0" "$1" --urls "$2" & child=$!
            echo "pid=$child"
            trap 'kill $child 2>/dev/null; wait $child 2>/dev/null' EXIT INT TERM
            while kill -0 {Environment.ProcessId} 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 1; done
            """;
        var start = new ProcessStartInfo("bash", ["-c", script, dotnet, bot, $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = Path.GetDirectoryName(bot)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(key);
        foreach (var (key, value) in environment) start.Environment[key] = value;

        var wrapper = Process.Start(start) ?? throw new InvalidOperationException("Could not start the bot.");
        var process = new BotProcess(name, wrapper, port);
        wrapper.OutputDataReceived += (_, e) => process.Take(e.Data);
        wrapper.ErrorDataReceived += (_, e) => process.Take(e.Data);
        wrapper.BeginOutputReadLine();
        wrapper.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => process.Kill();

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (wrapper.HasExited) throw new InvalidOperationException($"Bot {name} exited before it answered:\n{process.Output}");
            try
            {
                using var health = await process._http.GetAsync("/healthz");
                if (health.StatusCode == HttpStatusCode.OK && process.ProcessId != 0) return process;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        await process.DisposeAsync();
        throw new TimeoutException($"Bot {name} did not answer /healthz within 90 s:\n{process.Output}");
    }

    public async Task<HttpResponseMessage> PostActivityAsync(JsonObject activity)
    {
        using var content = new StringContent(activity.ToJsonString(), Encoding.UTF8, "application/json");
        return await _http.PostAsync("/api/messages", content);
    }

    public async Task<HttpResponseMessage> GetAsync(string path) => await _http.GetAsync(path);

    /// <summary>Waits until a line of the output matches.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, int timeoutMs = Waits.SafetyNetMs)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.ElapsedMilliseconds < timeoutMs)
        {
            if (Lines.FirstOrDefault(match) is { } line) return line;
            await Task.Delay(50);
        }
        throw new TimeoutException($"Bot {Name} wrote no matching line. Output:\n{Output}");
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _wrapper.WaitForExitAsync();
        _wrapper.Dispose();
        _http.Dispose();
    }

    private void Take(string? line)
    {
        if (line is null) return;
        if (ProcessId == 0 && line.StartsWith("pid=", StringComparison.Ordinal)) ProcessId = int.Parse(line[4..]);
        else _lines.Enqueue(line);
    }

    private void Kill()
    {
        try
        {
            if (!_wrapper.HasExited) _wrapper.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { }
    }

    /// <summary>src/TeamsBot's build output for the configuration these tests were built in.</summary>
    private static string BotAssembly()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)); // .../bin/<Configuration>/<tfm>
        var built = Path.Combine(Azurite.RepoRoot(), "src", "TeamsBot", "bin", here.Parent!.Name, here.Name, "TeamsBot.dll");
        return File.Exists(built) ? built : Path.Combine(AppContext.BaseDirectory, "TeamsBot.dll");
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
