using TeamsBot.Tests.Infrastructure;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace TeamsBot.Tests.Reliability.Crash;

/// <summary>
/// The built bot (TeamsBot.dll) as a child process in Development local mode, on a free loopback port, so that a test
/// can kill it for real (SIGKILL: no shutdown hooks, no flushing) and start it again on the same database.
/// </summary>
public sealed class BotProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output;
    private readonly HttpClient _http;
    private bool _disposed;

    private BotProcess(Process process, StringBuilder output, string baseUrl)
    {
        _process = process;
        _output = output;
        BaseUrl = baseUrl;
        _http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(60) };
    }

    public string BaseUrl { get; }

    /// <summary>Everything the process wrote to stdout and stderr (its logs).</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>The bot's build output: beside the app project, else beside the tests (it is copied there too).</summary>
    public static string BotDirectory
    {
        get
        {
            var tests = AppContext.BaseDirectory;
            var configuration = new DirectoryInfo(tests).Parent?.Name ?? "Debug"; // .../bin/<Configuration>/<tfm>/
            var tfm = new DirectoryInfo(tests).Name;
            for (var dir = new DirectoryInfo(tests); dir is not null; dir = dir.Parent)
            {
                var app = Path.Combine(dir.FullName, "src", "TeamsBot", "bin", configuration, tfm);
                if (File.Exists(Path.Combine(dir.FullName, "TeamsBot.sln")) && File.Exists(Path.Combine(app, "TeamsBot.dll"))) return app;
            }
            return tests;
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<BotProcess> StartAsync(int port, IReadOnlyDictionary<string, string> settings)
    {
        var directory = BotDirectory;
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(directory, "TeamsBot.dll"));
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        start.Environment["Urls"] = $"http://127.0.0.1:{port}";
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;

        var output = new StringBuilder();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var bot = new BotProcess(process, output, $"http://127.0.0.1:{port}");
        var deadline = Environment.TickCount64 + Waits.SafetyNetMs;
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"The bot exited with {process.ExitCode}:\n{bot.Output}");
            try
            {
                using var health = await bot._http.GetAsync("/healthz");
                if (health.IsSuccessStatusCode) return bot;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            if (Environment.TickCount64 > deadline) throw new TimeoutException($"The bot did not come up:\n{bot.Output}");
            await Task.Delay(100);
        }
    }

    /// <summary>SIGKILL: the process ends on the spot, whatever it was doing.</summary>
    public void Kill()
    {
        if (_disposed || _process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async Task<HttpResponseMessage> PostAsync(JsonObject activity) =>
        await _http.PostAsync("/api/messages", new StringContent(activity.ToJsonString(), Encoding.UTF8, "application/json"));

    /// <summary>Posts an activity; for an invoke, the answer body {statusCode,type,value}.</summary>
    public async Task<JsonObject?> SendAsync(JsonObject activity)
    {
        using var response = await PostAsync(activity);
        response.EnsureSuccessStatusCode();
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? null : JsonNode.Parse(text)!.AsObject();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        Kill();
        _disposed = true;
        _process.Dispose();
        _http.Dispose();
        await Task.CompletedTask;
    }
}
