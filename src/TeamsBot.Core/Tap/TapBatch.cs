using TeamsBot.Approvals;

namespace TeamsBot.Tap;

/// <summary>
/// One person of an onboarding batch: who was asked for, and either the request that passed every check (filed as a
/// part of the batch once approved) or why they are left out.
/// </summary>
public sealed record TapBatchHire(string Target, string Name, TapRequest? Request, IReadOnlyList<string> Problems)
{
    public bool Fine => Request is not null && Problems.Count == 0;
}

/// <summary>
/// Passes for several new hires, asked for at once and decided once. Stored in the approval record of kind
/// <see cref="Kind"/>; on approval each fine hire's request is filed as an approved TAP request of its own
/// (<see cref="PartId"/>), which makes, shows and watches that hire's pass like any other.
/// </summary>
public sealed record TapBatch(IReadOnlyList<TapBatchHire> Hires, int LifetimeMinutes, bool UsableOnce, string Reason, string ApproverGroupId)
{
    public const string Kind = "tap.batch";

    /// <summary>At most this many people per batch.</summary>
    public const int MaxHires = 20;

    public IReadOnlyList<TapBatchHire> FineHires => [.. Hires.Where(h => h.Fine)];

    /// <summary>The id of the request filed for the hire at <paramref name="index"/> of the batch (stable, so it is filed once).</summary>
    public static string PartId(string batchId, int index) => ApprovalRecord.PartId(batchId, index);

    /// <summary>The reference people read for that request: the batch's, and the hire's number in it ("R-4F2A9C-01").</summary>
    public static string PartReference(string batchId, int index) => ApprovalRecord.ReferenceOf(PartId(batchId, index));

    public JsonObject ToJson() => ApprovalRecord.ToSubject(this, TapBatchJson.Default.TapBatch);
}

/// <summary>
/// The batch form's data: the draft, the people its rows stand for (object ids or sign-in names, written by the card),
/// and the inputs: one start date per row (<see cref="StartDateInput"/>), then what the rows share, with the ids of
/// <see cref="TapFormData.Inputs"/>.
/// </summary>
public sealed record TapBatchFormData(
    [property: JsonPropertyName("draftId")] string? DraftId,
    [property: JsonPropertyName("hires")] IReadOnlyList<string>? Hires,
    [property: JsonPropertyName(TapFormData.Inputs.Lifetime)] string? Lifetime = null,
    [property: JsonPropertyName(TapFormData.Inputs.UsableOnce)] string? UsableOnce = null,
    [property: JsonPropertyName(TapFormData.Inputs.Reason)] string? Reason = null,
    [property: JsonPropertyName(TapFormData.Inputs.FileAnyway)] string? FileAnyway = null)
{
    private const string StartDatePrefix = "startDate";

    /// <summary>The per-row inputs (start dates), which have no fixed names.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Rows { get; set; }

    /// <summary>The id of the start date input of the row at <paramref name="index"/>.</summary>
    public static string StartDateInput(int index) => StartDatePrefix + index.ToString(CultureInfo.InvariantCulture);

    public string? StartDateFor(int index) =>
        Rows is not null && Rows.TryGetValue(StartDateInput(index), out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [JsonIgnore]
    public bool ConfirmedAnyway => string.Equals(FileAnyway, "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The Submit button's data: the draft and its rows (the client merges the inputs in).</summary>
    public static JsonObject ForDraft(string draftId, IReadOnlyList<string> hires) =>
        JsonSerializer.SerializeToNode(new TapBatchFormData(draftId, hires), TapBatchJson.Default.TapBatchFormData)!.AsObject();
}

/// <summary>The "pick several reports" card's data: the draft, and the chosen reports (the multi-select's value, ids separated by commas).</summary>
public sealed record TapBatchPickData(
    [property: JsonPropertyName("draftId")] string? DraftId,
    [property: JsonPropertyName(TapBatchPickData.ReportsInput)] string? Reports = null)
{
    public const string ReportsInput = "reports";

    public static JsonObject ForDraft(string draftId) =>
        JsonSerializer.SerializeToNode(new TapBatchPickData(draftId), TapBatchJson.Default.TapBatchPickData)!.AsObject();
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TapBatch))]
[JsonSerializable(typeof(TapBatchFormData))]
[JsonSerializable(typeof(TapBatchPickData))]
public sealed partial class TapBatchJson : JsonSerializerContext;

/// <summary>An onboarding batch's record read and written as a <see cref="TapBatch"/>.</summary>
public static class TapBatchRecordExtensions
{
    public static TapBatch Batch(this ApprovalRecord record) => record.SubjectAs(TapBatchJson.Default.TapBatch);
}
