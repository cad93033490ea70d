using TeamsBot.Storage;

namespace TeamsBot.Policies;

/// <summary>What the bot knows about a registration policy it deployed: the tenant's id for it and its history.</summary>
public sealed record PolicyDeployment(
    PolicyKey Key,
    string PolicyId,
    string State,
    DateTimeOffset DeployedAt,
    string DeployedBy,
    DateTimeOffset? ReportOnlySince,
    DateTimeOffset? EnabledAt,
    string? LastDriftAlert = null,
    DriftAcceptance? Accepted = null)
{
    /// <summary>Whether <paramref name="signature"/> is the deviation two admins accepted, and the acceptance still runs.</summary>
    public bool Accepts(string? signature, DateTimeOffset now) =>
        signature is not null && Accepted is { } a && a.Signature == signature && now < a.Until;
}

/// <summary>A deviation from the template that two admins accepted, until a time, and why.</summary>
public sealed record DriftAcceptance(string Signature, DateTimeOffset Until, string Reason, string By, string Reference);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true)]
[JsonSerializable(typeof(PolicyDeployment))]
internal sealed partial class PolicyJson : JsonSerializerContext;

/// <summary>The stored mapping from policy A/B to the tenant's policy ids.</summary>
public sealed class PolicyDeployments(IDocumentStore store)
{
    private const string Collection = "policyDeployments";

    public async Task<PolicyDeployment?> GetAsync(PolicyKey key, CancellationToken ct)
    {
        var document = await store.GetAsync(Collection, key.ToString(), ct);
        return document is null ? null : JsonSerializer.Deserialize(document.Json, PolicyJson.Default.PolicyDeployment);
    }

    public async Task<IReadOnlyDictionary<PolicyKey, PolicyDeployment>> AllAsync(CancellationToken ct)
    {
        var result = new Dictionary<PolicyKey, PolicyDeployment>();
        foreach (var key in RegistrationPolicies.All)
            if (await GetAsync(key, ct) is { } deployment) result[key] = deployment;
        return result;
    }

    public Task SaveAsync(PolicyDeployment deployment, CancellationToken ct) =>
        store.UpsertAsync(Collection, deployment.Key.ToString(), JsonSerializer.Serialize(deployment, PolicyJson.Default.PolicyDeployment), ct);

    /// <summary>Changes a record if it exists (last writer wins: changes come from one approved plan at a time).</summary>
    public async Task<PolicyDeployment?> UpdateAsync(PolicyKey key, Func<PolicyDeployment, PolicyDeployment> change, CancellationToken ct)
    {
        var current = await GetAsync(key, ct);
        if (current is null) return null;
        var next = change(current);
        await SaveAsync(next, ct);
        return next;
    }
}
