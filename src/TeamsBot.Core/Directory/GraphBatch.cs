using System.Net;
using Microsoft.Graph;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Serialization;

namespace TeamsBot.Directory;

/// <summary>The answer to one $batch item: its status and JSON body.</summary>
internal sealed record BatchItem(int Status, string? Body)
{
    public bool Succeeded => Status is >= 200 and < 300;

    public async Task<T?> ReadAsync<T>(ParsableFactory<T> factory, CancellationToken ct) where T : IParsable =>
        string.IsNullOrEmpty(Body) ? default : await KiotaJsonSerializer.DeserializeAsync(Body, factory, ct).ConfigureAwait(false);

    /// <summary>The item's value; a failed item throws the ODataError a direct call would have thrown.</summary>
    public async Task<T?> ExpectAsync<T>(ParsableFactory<T> factory, CancellationToken ct) where T : IParsable
    {
        if (!Succeeded)
        {
            throw await ErrorAsync(ct).ConfigureAwait(false);
        }
        return await ReadAsync(factory, ct).ConfigureAwait(false);
    }

    /// <summary>The item's Graph error, shaped like the ODataError a direct call would throw.</summary>
    public async Task<ODataError> ErrorAsync(CancellationToken ct)
    {
        var error = (string.IsNullOrEmpty(Body) ? null : await KiotaJsonSerializer.DeserializeAsync(Body, ODataError.CreateFromDiscriminatorValue, ct).ConfigureAwait(false))
            ?? new ODataError();
        error.ResponseStatusCode = Status;
        return error;
    }
}

/// <summary>
/// Sends requests as Graph $batch calls through the SDK (at most 20 items per call). The SDK's retry handler covers the
/// $batch call itself; items throttled inside a successful batch (429/503/504) are sent again in a smaller batch after
/// their Retry-After.
/// </summary>
internal static class GraphBatch
{
    private const int MaxItemRetries = 3;
    private static readonly TimeSpan MaxItemDelay = TimeSpan.FromSeconds(30);

    /// <summary>Sends the items, keyed by batch id; factories are called again for a retry (a request body is read once).</summary>
    public static async Task<Dictionary<string, BatchItem>> SendAsync(GraphServiceClient client,
        IReadOnlyDictionary<string, Func<RequestInformation>> requests, TimeProvider time, CancellationToken ct)
    {
        var results = new Dictionary<string, BatchItem>(StringComparer.Ordinal);
        var pending = requests.Keys.ToList();
        for (var attempt = 0; ; attempt++)
        {
            var batch = new BatchRequestContentCollection(client);
            foreach (var id in pending)
            {
                await batch.AddBatchRequestStepAsync(requests[id](), id).ConfigureAwait(false);
            }
            var responses = await client.Batch.PostAsync(batch, ct, GraphJson.ErrorMapping).ConfigureAwait(false);
            var retry = new List<string>();
            var delay = TimeSpan.Zero;
            foreach (var id in pending)
            {
                using var message = await responses.GetResponseByIdAsync(id).ConfigureAwait(false);
                var status = (int)(message?.StatusCode ?? HttpStatusCode.BadGateway);
                var body = message?.Content is null ? null : await message.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
                if (status is 429 or 503 or 504 && attempt < MaxItemRetries)
                {
                    retry.Add(id);
                    var wait = RetryAfter(message) ?? TimeSpan.FromSeconds(Math.Pow(2, attempt));
                    delay = wait > delay ? wait : delay;
                    continue;
                }
                results[id] = new BatchItem(status, body);
            }
            if (retry.Count == 0)
            {
                return results;
            }
            await Task.Delay(delay < MaxItemDelay ? delay : MaxItemDelay, time, ct).ConfigureAwait(false);
            pending = retry;
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage? message)
    {
        if (message is null || !message.Headers.TryGetValues("Retry-After", out var values))
        {
            return null;
        }
        return int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : null;
    }
}
