using TeamsBot.Cards;

namespace TeamsBot.Approvals;

/// <summary>The generic verbs of every approval, whatever its kind.</summary>
public static class ApprovalVerbs
{
    public const string Approve = "approval.approve";
    public const string Reject = "approval.reject";
    public const string Cancel = "approval.cancel";
}

/// <summary>The buttons every kind's approval card shares, so that a decision reads and posts the same everywhere.</summary>
public static class ApprovalButtons
{
    /// <summary>Approve, and Reject with a required reason (shown to the requester).</summary>
    public static IEnumerable<JsonNode?> Decide(ApprovalRecord record, string approve, string reject, string question, string sayWhy)
    {
        var data = ApprovalAction.For(record);
        yield return Card.Execute(approve, ApprovalVerbs.Approve, data, "positive");
        yield return Card.ShowCard("Reject",
            [Card.InputText(ApprovalAction.CommentInput, question, required: true, errorMessage: sayWhy, maxLength: 500, multiline: true)],
            [Card.Execute(reject, ApprovalVerbs.Reject, data, "destructive")]);
    }

    /// <summary>The requester's Cancel.</summary>
    public static JsonNode Cancel(ApprovalRecord record, string label) => Card.Execute(label, ApprovalVerbs.Cancel, ApprovalAction.For(record));
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
