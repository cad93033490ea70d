using TeamsBot.Approvals;

namespace TeamsBot.Policies;

public static class PlanOperations
{
    public const string Create = "create";
    public const string Update = "update";
    public const string Accept = "accept";
    public const string Restore = "restore";
    public const string Adopt = "adopt";
    public const string Promote = "promote";
    public const string None = "none";
}

/// <summary>What a plan does to one policy, and (once applied) what came of it.</summary>
public sealed record PlanStep(PolicyKey Key, string Operation, IReadOnlyList<FieldChange> Changes, JsonObject? Body, string? PolicyId,
    bool Done = false, string? Result = null);

/// <summary>
/// A change to the registration policies that a second admin must approve: computed against the tenant, shown as a
/// diff, and computed again just before it is applied (the tenant may have changed in between).
/// </summary>
/// <param name="Names">What people call the users, groups and locations the plan names, by object id (for its cards).</param>
public sealed record PolicyPlan(string Action, IReadOnlyList<PlanStep> Steps, string? OverrideReason = null, IReadOnlyList<string>? Notes = null,
    IReadOnlyList<string>? Warnings = null, DateOnly? AcceptThrough = null, string? AcceptReason = null,
    IReadOnlyList<PlanEffect>? Effects = null, int? RestoreVersion = null, IReadOnlyDictionary<string, string>? Names = null)
{
    public const string Kind = "policy";
    public const string Deploy = "deploy";
    public const string PromoteAction = "promote";
    public const string AcceptAction = "accept";
    public const string RestoreAction = "restore";

    /// <summary>An accepted deviation stops alerting at the end of <see cref="AcceptThrough"/> (UTC).</summary>
    public static DateTimeOffset AcceptedUntil(DateOnly through) => new(through.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    public bool HasWork => Steps.Any(s => s.Operation != PlanOperations.None);

    /// <summary>What the plan would do, so that a plan made again can be compared with the approved one.</summary>
    public string Signature => string.Join(";", Steps.Select(s =>
        $"{s.Key}:{s.Operation}:{s.PolicyId}:{string.Join(",", s.Changes.Select(c => $"{c.Path}={c.Actual}->{c.Expected}"))}"));

    public string Title => Action switch
    {
        Deploy => "Deploy the registration policies",
        AcceptAction => $"Accept the change to policy {string.Join(" and ", Steps.Select(s => s.Key))} through {AcceptThrough:yyyy-MM-dd}",
        RestoreAction => $"Restore policy {string.Join(" and ", Steps.Select(s => s.Key))} to v{RestoreVersion}",
        _ => $"Promote {string.Join(" and ", Steps.Select(s => s.Key))} to On",
    };

    public JsonObject ToJson() => ApprovalRecord.ToSubject(this, PlanJson.Default.PolicyPlan);
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true)]
[JsonSerializable(typeof(PolicyPlan))]
internal sealed partial class PlanJson : JsonSerializerContext;

/// <summary>A plan's record read and written as a <see cref="PolicyPlan"/>.</summary>
public static class PlanRecordExtensions
{
    public static PolicyPlan Plan(this ApprovalRecord record) => record.SubjectAs(PlanJson.Default.PolicyPlan);

    public static ApprovalRecord WithPlan(this ApprovalRecord record, PolicyPlan plan) => record.WithSubject(plan, PlanJson.Default.PolicyPlan);
}
