using TeamsBot.Directory;
using TeamsBot.Storage;

namespace TeamsBot.Policies;

/// <summary>
/// One applied version of a registration policy: the policy as Graph returned it after the bot applied a change
/// (cleaned of @odata annotations), numbered per policy from v1, with who applied it, when, and what the change was.
/// </summary>
public sealed record PolicyVersion(PolicyKey Key, int Number, string PolicyId, DateTimeOffset At, string AppliedBy, string What,
    string? PlanReference, JsonObject Policy)
{
    public string Name => $"v{Number}";

    public string State => Policy["state"] is JsonValue v && v.TryGetValue(out string? s) ? s : "";
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true)]
[JsonSerializable(typeof(PolicyVersion))]
internal sealed partial class PolicyVersionJson : JsonSerializerContext;

/// <summary>
/// Every applied version of each registration policy, kept in storage (collection <c>policyVersions</c>, key
/// <c>{A|B}:{number}</c>, zero-padded so keys sort as numbers).
/// </summary>
public sealed class PolicyHistory(IDocumentStore store, IConditionalAccess conditionalAccess, TimeProvider time, ILogger<PolicyHistory> logger)
{
    private const string Collection = "policyVersions";

    /// <summary>
    /// Keeps the version Graph has after a change the bot applied (PATCH answers 204 without a body, so the policy is read
    /// again: https://learn.microsoft.com/graph/api/conditionalaccesspolicy-update). The change is made by then, so a
    /// failed read (throttled, unavailable, not yet consistent) costs only the version, never the change's record.
    /// </summary>
    public async Task KeepAppliedAsync(PolicyKey key, string policyId, string appliedBy, string what, string? planReference, CancellationToken ct)
    {
        try
        {
            if (await conditionalAccess.GetPolicyAsync(policyId, ct) is { } policy)
                await AppendAsync(key, policy.Id, appliedBy, what, planReference, policy.Body, ct);
        }
        catch (DirectoryException ex)
        {
            logger.LogWarning("Policy {Key} {What}, but not read back for its history: {Kind} {GraphCode}", key, what, ex.Kind, ex.GraphCode);
        }
    }

    /// <summary>Keeps a new version; the same plan's same change recorded again (an apply resumed after a crash) is not kept twice.</summary>
    public async Task<PolicyVersion> AppendAsync(PolicyKey key, string policyId, string appliedBy, string what, string? planReference, JsonObject policy,
        CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var latest = await LatestAsync(key, ct);
            if (latest is not null && planReference is not null && latest.PlanReference == planReference && latest.What == what
                && JsonNode.DeepEquals(latest.Policy, policy))
                return latest;
            var version = new PolicyVersion(key, (latest?.Number ?? 0) + 1, policyId, time.GetUtcNow(), appliedBy, what, planReference,
                (JsonObject)policy.DeepClone());
            if (await store.TryInsertAsync(Collection, Key(key, version.Number), JsonSerializer.Serialize(version, PolicyVersionJson.Default.PolicyVersion), ct))
                return version;
            if (attempt >= 5) throw new InvalidOperationException($"Could not number a new version of policy {key}: others kept writing.");
        }
    }

    public async Task<PolicyVersion?> GetAsync(PolicyKey key, int number, CancellationToken ct)
    {
        var document = number < 1 ? null : await store.GetAsync(Collection, Key(key, number), ct);
        return document is null ? null : Read(document);
    }

    /// <summary>The newest versions first, at most <paramref name="count"/>.</summary>
    public async Task<IReadOnlyList<PolicyVersion>> NewestAsync(PolicyKey key, int count, CancellationToken ct) =>
        [.. (await store.ListAsync(Collection, new DocumentPage(Math.Clamp(count, 1, 100), Descending: true, KeyPrefix: $"{key}:"), ct)).Select(Read)];

    private async Task<PolicyVersion?> LatestAsync(PolicyKey key, CancellationToken ct) => await NewestAsync(key, 1, ct) is [var latest, ..] ? latest : null;

    private static PolicyVersion Read(StoredDocument document) => JsonSerializer.Deserialize(document.Json, PolicyVersionJson.Default.PolicyVersion)!;

    private static string Key(PolicyKey key, int number) => $"{key}:{number.ToString("D6", CultureInfo.InvariantCulture)}";
}
