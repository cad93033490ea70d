using Process = System.Diagnostics.Process;
using ProcessStartInfo = System.Diagnostics.ProcessStartInfo;
using System.Net.Http.Headers;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using TeamsBot.Protocol;
using Activity = TeamsBot.Protocol.Activity;
using TeamsBot.Protocol.Connector;

namespace Bench.Micro;

/// <summary>
/// One reply to a real loopback connector (nginx, started here as bench/connector/nginx.conf says): the bot's
/// IConnectorClient as the host builds it, against a bare pooled HttpClient posting the same bytes.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 8)]
public class ConnectorBenchmarks
{
    private Process? _nginx;
    private string[] _nginxArgs = [];
    private ServiceProvider _services = null!;
    private IConnectorClient _connector = null!;
    private HttpClient _bare = null!;
    private byte[] _replyBytes = [];

    [GlobalSetup]
    public void Setup()
    {
        var bench = Path.GetDirectoryName(Path.GetDirectoryName(typeof(Payloads).Assembly.Location))!;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "bench", "connector", "nginx.conf"))) { bench = Path.Combine(dir.FullName, "bench"); break; }
        var prefix = Path.Combine(Path.GetTempPath(), "teamsbot-micro-nginx");
        System.IO.Directory.CreateDirectory(Path.Combine(prefix, "tmp"));
        _nginxArgs = ["-p", prefix, "-c", Path.Combine(bench, "connector", "nginx.conf")];
        _nginx = Process.Start(new ProcessStartInfo("nginx", _nginxArgs)
        { RedirectStandardError = true, RedirectStandardOutput = true });
        Thread.Sleep(300);

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Bot:AllowUnauthenticatedLocalRequests"] = "true",
            ["Bot:TenantId"] = Payloads.TenantId,
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IHostEnvironment>(new Environment());
        services.AddBotProtocol(configuration);
        _services = services.BuildServiceProvider();
        _connector = _services.GetRequiredService<IConnectorClient>();
        _bare = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), MaxConnectionsPerServer = 256 });
        _replyBytes = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(Reply(), ProtocolJson.Default.Activity);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        _bare.Dispose();
        // "-s stop" ends the master and its worker (killing the master alone would leave the worker behind).
        if (_nginx is { HasExited: false })
        {
            using var stop = Process.Start("nginx", [.. _nginxArgs, "-s", "stop"]);
            stop.WaitForExit(5000);
            if (!_nginx.WaitForExit(5000)) _nginx.Kill();
        }
    }

    private static Activity Reply()
    {
        var reply = Activity.CreateMessage("Sorry, I didn't understand that. Type **help** to see what you can do.");
        reply.From = new ChannelAccount { Id = "28:" + Payloads.AppId, Name = "TeamsBot" };
        reply.Conversation = new ConversationAccount { Id = "a:1bench-personal-megan" };
        reply.ChannelId = "msteams";
        return reply;
    }

    [Benchmark(Baseline = true)]
    public async Task BareHttpClient()
    {
        using var content = new ByteArrayContent(_replyBytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        using var response = await _bare.PostAsync("http://127.0.0.1:3990/v3/conversations/a%3A1bench-personal-megan/activities", content);
        await response.Content.ReadAsByteArrayAsync();
    }

    [Benchmark]
    public Task<string?> ConnectorClientSend() =>
        _connector.SendAsync(Payloads.ServiceUrl, "a:1bench-personal-megan", Reply());

    private sealed class Environment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Development";
        public string ApplicationName { get; set; } = "Bench";
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
