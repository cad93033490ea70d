using System.Text;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Serialization;

namespace TeamsBot.Directory;

/// <summary>Sending SDK-built requests with raw JSON bodies and reading raw JSON answers (for Conditional Access documents).</summary>
internal static class GraphJson
{
    public static readonly Dictionary<string, ParsableFactory<IParsable>> ErrorMapping = new()
    {
        ["XXX"] = ODataError.CreateFromDiscriminatorValue,
    };

    /// <summary>The JSON answer, or null for 204.</summary>
    public static async Task<JsonNode?> SendAsync(IRequestAdapter adapter, RequestInformation request, CancellationToken ct)
    {
        var stream = await adapter.SendPrimitiveAsync<Stream>(request, ErrorMapping, ct).ConfigureAwait(false);
        if (stream is null)
        {
            return null;
        }
        await using (stream.ConfigureAwait(false))
        {
            return stream.CanSeek && stream.Length == 0 ? null : await JsonNode.ParseAsync(stream, cancellationToken: ct).ConfigureAwait(false);
        }
    }

    /// <summary>Replaces the request's body with the given JSON (buffered, so the retry handler can resend it).</summary>
    public static RequestInformation WithBody(RequestInformation request, JsonObject body)
    {
        request.SetStreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body.ToJsonString())), "application/json");
        return request;
    }
}
