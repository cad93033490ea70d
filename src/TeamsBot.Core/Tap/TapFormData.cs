namespace TeamsBot.Tap;

/// <summary>
/// The request form's data: the draft it belongs to (so that every click on one form files one request) and the
/// inputs, whose ids are the constants of <see cref="Inputs"/>. Written by <see cref="TapCards.Form"/>, read by the
/// submit handler; every input arrives as text.
/// </summary>
public sealed record TapFormData(
    [property: JsonPropertyName("draftId")] string? DraftId,
    [property: JsonPropertyName(TapFormData.Inputs.Report)] string? Report,
    [property: JsonPropertyName(TapFormData.Inputs.OtherUpn)] string? OtherUpn,
    [property: JsonPropertyName(TapFormData.Inputs.StartDate)] string? StartDate,
    [property: JsonPropertyName(TapFormData.Inputs.StartTime)] string? StartTime,
    [property: JsonPropertyName(TapFormData.Inputs.Lifetime)] string? Lifetime,
    [property: JsonPropertyName(TapFormData.Inputs.UsableOnce)] string? UsableOnce,
    [property: JsonPropertyName(TapFormData.Inputs.Reason)] string? Reason,
    [property: JsonPropertyName(TapFormData.Inputs.FileAnyway)] string? FileAnyway = null)
{
    /// <summary>The ids of the form's inputs.</summary>
    public static class Inputs
    {
        public const string Report = "user";
        public const string OtherUpn = "userUpn";
        public const string StartDate = "startDate";
        public const string StartTime = "startTime";
        public const string Lifetime = "lifetimeMinutes";
        public const string UsableOnce = "usableOnce";
        public const string Reason = "reason";
        public const string FileAnyway = "fileAnyway";
    }

    /// <summary>The requester confirmed a request the check says cannot work (the toggle sends "true").</summary>
    [JsonIgnore]
    public bool ConfirmedAnyway => string.Equals(FileAnyway, "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The Submit button's data: the draft id alone (the client merges the inputs in).</summary>
    public static JsonObject ForDraft(string draftId) =>
        JsonSerializer.SerializeToNode(new TapFormData(draftId, null, null, null, null, null, null, null), TapDataJson.Default.TapFormData)!.AsObject();
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TapFormData))]
public sealed partial class TapDataJson : JsonSerializerContext;
