using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TeamsBot.Protocol;
using TeamsBot.Protocol.Authentication;

namespace Bench.Micro;

/// <summary>The parts of a turn on their own: parse the activity, validate its token, serialise the reply.</summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 8)]
public class PartBenchmarks
{
    private byte[] _message = [];
    private Activity _parsed = null!;
    private Activity _reply = null!;
    private InboundTokenValidator _validator = null!;
    private string _authorization = "";

    [GlobalSetup]
    public void Setup()
    {
        _message = Payloads.Message("my requests");
        _parsed = JsonSerializer.Deserialize(_message, ProtocolJson.Default.Activity)!;
        _reply = Activity.CreateMessage("Sorry, I didn't understand that. Type **help** to see what you can do.");
        _reply.From = new ChannelAccount { Id = "28:" + Payloads.AppId, Name = "TeamsBot" };
        _reply.Conversation = new ConversationAccount { Id = "a:1bench-personal-megan" };
        _reply.ChannelId = "msteams";
        var options = Options.Create(new BotOptions
        {
            AppId = Payloads.AppId, TenantId = Payloads.TenantId, OpenIdMetadataUrl = Payloads.MetadataUrl,
        });
        var keys = new SigningKeyCache(new SingleClientFactory(new HttpClient(new InProcessHandler())), options, TimeProvider.System,
            NullLogger<SigningKeyCache>.Instance);
        _validator = new InboundTokenValidator(keys, options, NullLogger<InboundTokenValidator>.Instance);
        _authorization = "Bearer " + Payloads.Token();
        if (!_validator.ValidateAsync(_authorization, "msteams", Payloads.ServiceUrl, default).GetAwaiter().GetResult().Succeeded)
            throw new InvalidOperationException("the benchmark token does not validate");
    }

    [Benchmark]
    public Activity? ParseActivity() => JsonSerializer.Deserialize(_message, ProtocolJson.Default.Activity);

    [Benchmark]
    public string CommandText() => _parsed.CommandText();

    [Benchmark]
    public async Task<bool> ValidateToken() =>
        (await _validator.ValidateAsync(_authorization, "msteams", Payloads.ServiceUrl, default)).Succeeded;

    [Benchmark]
    public byte[] SerializeReply() => JsonSerializer.SerializeToUtf8Bytes(_reply, ProtocolJson.Default.Activity);

    private sealed class SingleClientFactory(HttpClient client) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => client;
    }
}
