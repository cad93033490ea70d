using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Bench.Ceiling;

// A bare ASP.NET Core endpoint: parse the activity, POST one reply to its serviceUrl over a pooled HttpClient, answer
// 200. No authentication, routing, storage or logging: what a bot turn cannot go below on this machine.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();

var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), MaxConnectionsPerServer = 256 });
var json = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };

// CEILING_ACK_FIRST=1: answer 200 first and reply after, as a bot does for messages (a trial of that pattern's cost).
var ackFirst = Environment.GetEnvironmentVariable("CEILING_ACK_FIRST") == "1";

app.MapGet("/healthz", () => "ok");
app.MapPost("/api/messages", async (HttpContext context) =>
{
    var activity = await JsonSerializer.DeserializeAsync(context.Request.Body, CeilingJson.Default.InboundActivity, context.RequestAborted);
    if (activity?.ServiceUrl is not { } serviceUrl || activity.Conversation?.Id is not { } conversationId)
        return Results.BadRequest();
    var reply = new Reply("message", "Sorry, I didn't understand that.", new Account(conversationId), activity.Recipient, activity.Id);
    var url = $"{serviceUrl.TrimEnd('/')}/v3/conversations/{Uri.EscapeDataString(conversationId)}/activities";
    using var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(reply, CeilingJson.Default.Reply));
    content.Headers.ContentType = json;
    if (ackFirst)
    {
        context.Response.StatusCode = 200;
        await context.Response.CompleteAsync();
    }
    using var response = await http.PostAsync(url, content, ackFirst ? CancellationToken.None : context.RequestAborted);
    if (ackFirst) return Results.Empty;
    return response.IsSuccessStatusCode ? Results.Ok() : Results.StatusCode(502);
});

await app.RunAsync();

namespace Bench.Ceiling
{
    internal sealed record Account([property: JsonPropertyName("id")] string? Id);

    internal sealed record InboundActivity(
        [property: JsonPropertyName("type")] string? Type,
        [property: JsonPropertyName("id")] string? Id,
        [property: JsonPropertyName("text")] string? Text,
        [property: JsonPropertyName("serviceUrl")] string? ServiceUrl,
        [property: JsonPropertyName("conversation")] Account? Conversation,
        [property: JsonPropertyName("recipient")] Account? Recipient);

    internal sealed record Reply(
        [property: JsonPropertyName("type")] string Type,
        [property: JsonPropertyName("text")] string Text,
        [property: JsonPropertyName("conversation")] Account Conversation,
        [property: JsonPropertyName("from")] Account? From,
        [property: JsonPropertyName("replyToId")] string? ReplyToId);

    [JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonSerializable(typeof(InboundActivity))]
    [JsonSerializable(typeof(Reply))]
    internal sealed partial class CeilingJson : JsonSerializerContext;
}
