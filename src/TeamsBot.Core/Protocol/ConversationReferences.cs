using System.Collections.Concurrent;
using TeamsBot.Storage;

namespace TeamsBot.Protocol;

/// <summary>Where to reach a user (their 1:1 chat) or a conversation proactively, kept from their last activity.</summary>
public interface IConversationReferences
{
    /// <summary>Keeps the reference of an authenticated activity (skips the write when nothing changed).</summary>
    Task RememberAsync(ConversationReference reference, CancellationToken ct = default);
    Task<ConversationReference?> ForUserAsync(string aadObjectId, CancellationToken ct = default);
    Task<ConversationReference?> ForConversationAsync(string conversationId, CancellationToken ct = default);
    /// <summary>Forgets a user's 1:1 chat (uninstalled, blocked, not in roster).</summary>
    Task ForgetUserAsync(string aadObjectId, CancellationToken ct = default);

    /// <summary>The service URL of the tenant's most recent activity (where to open a chat with someone new), or null.</summary>
    Task<string?> ServiceUrlForTenantAsync(string tenantId, CancellationToken ct = default);
}

public sealed class ConversationReferences(IDocumentStore store, TimeProvider time) : IConversationReferences
{
    /// <summary>
    /// How long a remembered route is trusted without writing it again. Another instance may have forgotten it
    /// meanwhile (a 403/404 from the connector there); this bounds how long such a user stays unreachable.
    /// </summary>
    public static readonly TimeSpan TrustKnownFor = TimeSpan.FromMinutes(5);

    private const string Collection = "conversationReferences";
    // What this instance last wrote, and when, so that a turn writes only when something changed.
    private readonly ConcurrentDictionary<string, (ConversationReference Reference, DateTimeOffset At)> _known = new();
    private readonly ConcurrentDictionary<string, string> _tenantUrls = new(StringComparer.OrdinalIgnoreCase);

    public async Task RememberAsync(ConversationReference reference, CancellationToken ct = default)
    {
        // A channel is kept by its own id (19:...), not by the thread an activity came from, so that cards can be
        // posted to it as new conversations.
        if (!reference.IsPersonal && reference.TeamsChannelId is { Length: > 0 } channel) reference = reference with { ConversationId = channel };
        var key = reference.IsPersonal && reference.UserAadObjectId is { } aad ? UserKey(aad) : ConversationKey(reference.ConversationId);
        var now = time.GetUtcNow();
        if (_known.TryGetValue(key, out var known) && known.Reference.SameRoute(reference) && now - known.At < TrustKnownFor) return;
        await store.UpsertAsync(Collection, key, JsonSerializer.Serialize(reference, ReferenceJson.Default.ConversationReference), ct);
        _known[key] = (reference, now);
        // Teams' service URL is per region and tenant and "tends to be stable but can change" (spec/bot-protocol.md):
        // the latest one is where a new 1:1 chat is opened.
        if (reference.TenantId is { Length: > 0 } tenant && (!_tenantUrls.TryGetValue(tenant, out var url) || url != reference.ServiceUrl))
        {
            await store.UpsertAsync(Collection, TenantKey(tenant), JsonSerializer.Serialize(reference, ReferenceJson.Default.ConversationReference), ct);
            _tenantUrls[tenant] = reference.ServiceUrl;
        }
    }

    public async Task<string?> ServiceUrlForTenantAsync(string tenantId, CancellationToken ct = default) =>
        (await ReadAsync(TenantKey(tenantId), ct))?.ServiceUrl;

    public Task<ConversationReference?> ForUserAsync(string aadObjectId, CancellationToken ct = default) => ReadAsync(UserKey(aadObjectId), ct);

    public Task<ConversationReference?> ForConversationAsync(string conversationId, CancellationToken ct = default) =>
        ReadAsync(ConversationKey(conversationId), ct);

    public async Task ForgetUserAsync(string aadObjectId, CancellationToken ct = default)
    {
        _known.TryRemove(UserKey(aadObjectId), out _);
        await store.DeleteAsync(Collection, UserKey(aadObjectId), ct: ct);
    }

    private async Task<ConversationReference?> ReadAsync(string key, CancellationToken ct)
    {
        var document = await store.GetAsync(Collection, key, ct);
        return document is null ? null : JsonSerializer.Deserialize(document.Json, ReferenceJson.Default.ConversationReference);
    }

    private static string UserKey(string aadObjectId) => "user:" + aadObjectId.ToLowerInvariant();
    private static string ConversationKey(string conversationId) => "conversation:" + conversationId;
    private static string TenantKey(string tenantId) => "tenant:" + tenantId.ToLowerInvariant();
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ConversationReference))]
internal sealed partial class ReferenceJson : JsonSerializerContext;
