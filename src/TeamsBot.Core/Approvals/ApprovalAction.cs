namespace TeamsBot.Approvals;

/// <summary>The generic verbs of every approval, whatever its kind.</summary>
public static class ApprovalVerbs
{
    public const string Approve = "approval.approve";
    public const string Reject = "approval.reject";
    public const string Cancel = "approval.cancel";
}

/// <summary>
/// What a button on an approval card says: which record, at which version the reader saw it, and the comment typed
/// into the card (its input id is <see cref="CommentInput"/>). Written by the card builders, read by the handlers; it
/// names the record only: who clicked comes from the activity.
/// </summary>
public sealed record ApprovalAction(
    [property: JsonPropertyName("recordId")] string? RecordId,
    [property: JsonPropertyName("version")] string? VersionText,
    [property: JsonPropertyName(ApprovalAction.CommentInput)] string? Comment = null)
{
    public const string CommentInput = "comment";

    /// <summary>The data for a button that acts on <paramref name="record"/> as it is now.</summary>
    public static JsonObject For(ApprovalRecord record) =>
        JsonSerializer.SerializeToNode(new ApprovalAction(record.Id, record.Version.ToString(CultureInfo.InvariantCulture)),
            ApprovalActionJson.Default.ApprovalAction)!.AsObject();

    /// <summary>The version the reader saw; -1 (never current) when the card sent none or something else.</summary>
    [JsonIgnore]
    public long Version => long.TryParse(VersionText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : -1;

    /// <summary>A record id the store could hold (the rest is out of date or made up).</summary>
    [JsonIgnore]
    public string? Id => RecordId is { Length: > 0 and <= 64 } id ? id : null;
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ApprovalAction))]
public sealed partial class ApprovalActionJson : JsonSerializerContext;
