using TeamsBot.Approvals;

namespace TeamsBot.Tap;

/// <summary>
/// What a TAP request is about, and what became of the pass. Stored in the approval record; it never holds the pass
/// itself, only the id of the Graph method that carries it. The custody steps after issue (the hire registered a
/// method, the pass deleted, people told, the reminder, the expiry unused) are each recorded here by compare-and-swap
/// before anyone is told, so that each happens once however many rounds of the watch run.
/// </summary>
public sealed record TapRequest(
    string TargetId,
    string TargetUpn,
    string TargetName,
    string? Department,
    string? JobTitle,
    DateTimeOffset? HireDate,
    IReadOnlyList<string> ExistingMethods,
    DateTimeOffset StartsAt,
    int LifetimeMinutes,
    bool UsableOnce,
    string Reason,
    string ApproverGroupId,
    bool Privileged,
    IReadOnlyList<string>? TargetRoles = null,
    string? MethodId = null,
    DateTimeOffset? IssuedAt = null,
    int PassesCreated = 0,
    DateTimeOffset? RevealedAt = null,
    DateTimeOffset? RevokedAt = null,
    Person? RevokedBy = null,
    bool ExpiryShown = false,
    string? RegisteredMethod = null,
    DateTimeOffset? RegisteredAt = null,
    DateTimeOffset? PassDeletedAt = null,
    bool RegistrationTold = false,
    DateTimeOffset? ReminderSentAt = null,
    DateTimeOffset? ExpiredUnusedAt = null,
    TapOutlook? Outlook = null,
    string? BatchId = null)
{
    public const string Kind = "tap";

    public DateTimeOffset EndsAt => StartsAt.AddMinutes(LifetimeMinutes);

    /// <summary>A pass exists and is the requester's to reveal or revoke: made, not revoked, and the hire has not registered a method of their own.</summary>
    public bool Issued => MethodId is not null && RevokedAt is null && RegisteredAt is null;

    /// <summary>The hire registered a method of their own after the pass was made (the custody watch saw it).</summary>
    public bool Registered => RegisteredAt is not null;

    public JsonObject ToJson() => ApprovalRecord.ToSubject(this, TapJson.Default.TapRequest);
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TapRequest))]
internal sealed partial class TapJson : JsonSerializerContext;

/// <summary>A TAP request's record read and written as a <see cref="TapRequest"/>.</summary>
public static class TapRecordExtensions
{
    public static TapRequest Tap(this ApprovalRecord record) => record.SubjectAs(TapJson.Default.TapRequest);

    public static ApprovalRecord WithTap(this ApprovalRecord record, TapRequest tap) => record.WithSubject(tap, TapJson.Default.TapRequest);
}
