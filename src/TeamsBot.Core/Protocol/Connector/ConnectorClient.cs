using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace TeamsBot.Protocol.Connector;

/// <summary>The Bot Connector REST API (v3) calls the bot makes.</summary>
public interface IConnectorClient
{
    Task<string?> SendAsync(string serviceUrl, string conversationId, Activity activity, CancellationToken ct = default);
    Task UpdateAsync(string serviceUrl, string conversationId, string activityId, Activity activity, CancellationToken ct = default);
    /// <summary>Creates (or finds: the call is idempotent) the 1:1 conversation with a user, by 29: id or Entra object id.</summary>
    Task<ConversationResourceResponse> CreatePersonalConversationAsync(string serviceUrl, string userId, string tenantId,
        CancellationToken ct = default);
}

/// <summary>
/// HTTP client of the connector. Retries (429 with Retry-After, 412, 502, 503, 504) are the resilience handler's job,
/// set up where the client is registered; this class turns answers into results or <see cref="ConnectorException"/>.
/// </summary>
public sealed class ConnectorClient(HttpClient http, IConnectorTokenSource tokens) : IConnectorClient
{
    public const string HttpClientName = "bot-connector";

    public async Task<string?> SendAsync(string serviceUrl, string conversationId, Activity activity, CancellationToken ct = default)
    {
        var url = Url(serviceUrl, $"v3/conversations/{Uri.EscapeDataString(conversationId)}/activities");
        var response = await SendJsonAsync(HttpMethod.Post, url, activity, ProtocolJson.Default.Activity, ProtocolJson.Default.ResourceResponse, ct);
        return response?.Id;
    }

    public async Task UpdateAsync(string serviceUrl, string conversationId, string activityId, Activity activity, CancellationToken ct = default)
    {
        activity.Id = activityId;
        var url = Url(serviceUrl,
            $"v3/conversations/{Uri.EscapeDataString(conversationId)}/activities/{Uri.EscapeDataString(activityId)}");
        await SendJsonAsync(HttpMethod.Put, url, activity, ProtocolJson.Default.Activity, ProtocolJson.Default.ResourceResponse, ct);
    }

    public async Task<ConversationResourceResponse> CreatePersonalConversationAsync(string serviceUrl, string userId, string tenantId,
        CancellationToken ct = default)
    {
        var parameters = new ConversationParameters
        {
            IsGroup = false,
            Members = [new ChannelAccount { Id = userId }],
            TenantId = tenantId,
            ChannelData = new() { ["tenant"] = new System.Text.Json.Nodes.JsonObject { ["id"] = tenantId } },
        };
        var response = await SendJsonAsync(HttpMethod.Post, Url(serviceUrl, "v3/conversations"), parameters,
            ProtocolJson.Default.ConversationParameters, ProtocolJson.Default.ConversationResourceResponse, ct);
        return response ?? throw new ConnectorException(HttpStatusCode.OK, null, "The Bot Connector created no conversation.");
    }

    private async Task<TResponse?> SendJsonAsync<TBody, TResponse>(HttpMethod method, Uri url, TBody body,
        JsonTypeInfo<TBody> bodyType, JsonTypeInfo<TResponse> responseType, CancellationToken ct)
        where TResponse : class
    {
        // Buffered content so that the retry handler can send it again.
        using var request = new HttpRequestMessage(method, url)
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, bodyType))
            {
                Headers = { ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" } },
            },
        };
        using var response = await SendAsync(request, ct);
        await EnsureSuccessAsync(response, ct);
        if (response.Content.Headers.ContentLength is 0 or null && response.StatusCode == HttpStatusCode.Accepted) return null;
        try
        {
            var bytes = await response.Content.ReadAsByteArrayAsync(ct);
            return bytes.Length == 0 ? null : JsonSerializer.Deserialize(bytes, responseType);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var token = await tokens.GetTokenAsync(ct);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        try
        {
            return await http.SendAsync(request, ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or Polly.Timeout.TimeoutRejectedException && !ct.IsCancellationRequested)
        {
            // After the retries: the connector could not be reached at all. Callers handle ConnectorException (one chat
            // failing must not stop the next), so a network failure is reported the same way.
            throw new ConnectorException(ex is HttpRequestException ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.GatewayTimeout, null,
                "The Bot Connector could not be reached.", ex);
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        string? code = null;
        try
        {
            var error = await response.Content.ReadFromJsonAsync(ProtocolJson.Default.ConnectorErrorResponse, ct);
            code = error?.Error?.Code;
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            // No error body: the status says enough.
        }
        throw new ConnectorException(response.StatusCode, code, ConnectorException.Describe(response.StatusCode, code));
    }

    private static Uri Url(string serviceUrl, string path) =>
        new(new Uri(serviceUrl.EndsWith('/') ? serviceUrl : serviceUrl + "/"), path);
}
