using System.Net.Http.Headers;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TeamsBot.Protocol.Authentication;
using TeamsBot.Protocol.Connector;

namespace Bench.Micro;

/// <summary>
/// Whole turns through the real host (Program) in memory: ASP.NET Core's TestServer instead of sockets, the connector
/// and the OpenID metadata answered in process. A message turn ends when its reply reached the connector.
/// Allocated bytes per turn are exact; times leave out Kestrel and the network.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 8)]
public class TurnBenchmarks
{
    private Host _local = null!;
    private Host _jwt = null!;
    private byte[] _myRequests = [], _unknown = [], _invoke = [];
    private string _authorization = "";

    [GlobalSetup]
    public void Setup()
    {
        var db = Path.Combine(Path.GetTempPath(), "teamsbot-micro-" + Environment.ProcessId);
        _local = new Host(new()
        {
            ["Bot:AllowUnauthenticatedLocalRequests"] = "true",
            ["Bot:AppId"] = "",
            ["Bot:TenantId"] = Payloads.TenantId,
            ["Storage:SqlitePath"] = db + "-local.db",
            ["Graph:SimulatedPort"] = "0",
            ["Logging:LogLevel:Default"] = "Warning",
        }, "Development");
        _jwt = new Host(new()
        {
            ["Bot:AllowUnauthenticatedLocalRequests"] = "false",
            ["Bot:AppId"] = Payloads.AppId,
            ["Bot:TenantId"] = Payloads.TenantId,
            ["Bot:ClientCredential:SourceType"] = "ClientSecret",
            ["Bot:ClientCredential:ClientSecret"] = "bench-client-secret",
            ["Bot:OpenIdMetadataUrl"] = Payloads.MetadataUrl,
            ["Storage:SqlitePath"] = db + "-jwt.db",
            ["Graph:Mode"] = "Live",
        }, "Production");
        _myRequests = Payloads.Message("my requests");
        _unknown = Payloads.Message("what is this");
        _invoke = Payloads.Invoke("tap.mine");
        _authorization = "Bearer " + Payloads.Token();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _local.Dispose();
        _jwt.Dispose();
    }

    [Benchmark]
    public Task MessageMyRequests_Local() => _local.MessageAsync(_myRequests, null);

    [Benchmark]
    public Task MessageUnknown_Local() => _local.MessageAsync(_unknown, null);

    [Benchmark]
    public Task InvokeTapMine_Local() => _local.InvokeAsync(_invoke, null);

    [Benchmark]
    public Task MessageMyRequests_Jwt() => _jwt.MessageAsync(_myRequests, _authorization);

    [Benchmark]
    public Task InvokeTapMine_Jwt() => _jwt.InvokeAsync(_invoke, _authorization);

    private sealed class Host : WebApplicationFactory<Program>
    {
        private readonly Dictionary<string, string?> _settings;
        private readonly string _environment;
        private readonly InProcessHandler _handler = new();
        private readonly HttpClient _client;

        public Host(Dictionary<string, string?> settings, string environment)
        {
            _settings = settings;
            _environment = environment;
            _client = CreateClient();
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment(_environment);
            builder.ConfigureAppConfiguration(c => c.AddInMemoryCollection(_settings));
            builder.ConfigureServices(services =>
            {
                services.AddHttpClient(ConnectorClient.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => _handler);
                services.AddHttpClient(SigningKeyCache.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => _handler);
                services.Replace(ServiceDescriptor.Singleton<IConnectorTokenSource, StaticToken>());
            });
        }

        public async Task MessageAsync(byte[] body, string? authorization)
        {
            using var response = await PostAsync(body, authorization);
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"message answered {(int)response.StatusCode}");
            await _handler.WaitForConnectorCallAsync();
        }

        public async Task InvokeAsync(byte[] body, string? authorization)
        {
            using var response = await PostAsync(body, authorization);
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"invoke answered {(int)response.StatusCode}");
            await response.Content.ReadAsByteArrayAsync();
        }

        private Task<HttpResponseMessage> PostAsync(byte[] body, string? authorization)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
            return _client.SendAsync(request);
        }
    }

    private sealed class StaticToken : IConnectorTokenSource
    {
        public ValueTask<string?> GetTokenAsync(CancellationToken ct) => ValueTask.FromResult<string?>("bench-connector-token");
    }
}
