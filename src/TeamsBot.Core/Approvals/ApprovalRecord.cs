using System.Collections.Immutable;

namespace TeamsBot.Approvals;

/// <summary>Where an approval stands. The last six are final; Refused: nobody could be asked to decide.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ApprovalState>))]
public enum ApprovalState { Pending, Approved, Executing, Completed, Failed, Rejected, Expired, Cancelled, Refused }

public sealed record Person(string Id, string Name);

public sealed record ApprovalDecision(Person By, DateTimeOffset At, bool Approved, string? Comment);

/// <summary>A card the bot posted about a record, so that it can be re-rendered on every change, for its reader.</summary>
public sealed record CardPost(string Audience, string? UserId, string ServiceUrl, string ConversationId, string ActivityId,
    string? TimeZone = null, string? Locale = null)
{
    [JsonIgnore]
    public Cards.Reader Reader => Cards.Reader.From(TimeZone, Locale);
}

/// <summary>
/// A request that needs a second person's decision (a TAP, a policy plan). Kept server-side: cards only show it and
/// name its id and version; every click is checked against this record.
/// </summary>
public sealed record ApprovalRecord(
    string Id,
    string Kind,
    ApprovalState State,
    long Version,
    Person Requester,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset UpdatedAt,
    JsonObject Subject,
    ApprovalDecision? Decision = null,
    string? Outcome = null,
    DateTimeOffset? ExecutingSince = null,
    ImmutableList<CardPost>? Cards = null,
    bool ApproversAsked = false,
    DateTimeOffset? AskingSince = null,
    DateTimeOffset? WatchUntil = null)
{
    public ImmutableList<CardPost> CardPosts => Cards ?? [];

    public bool IsFinal => State is ApprovalState.Completed or ApprovalState.Failed or ApprovalState.Rejected
        or ApprovalState.Expired or ApprovalState.Cancelled or ApprovalState.Refused;

    /// <summary>
    /// Whether a job may still act on the record at <paramref name="now"/>: it is not final, or its kind watches it
    /// until <see cref="WatchUntil"/> (an issued pass under custody).
    /// </summary>
    public bool IsOpen(DateTimeOffset now) => !IsFinal || WatchUntil > now;

    /// <summary>
    /// A short reference people can read out ("R-4F2A9C"); a part of another record (<see cref="PartId"/>) reads as
    /// that record's reference and its number ("R-4F2A9C-01").
    /// </summary>
    public string Reference => ReferenceOf(Id);

    /// <summary>The reference people read for the record <paramref name="id"/> (see <see cref="Reference"/>).</summary>
    public static string ReferenceOf(string id) =>
        WholeOf(id) is { } whole ? ReferenceOf(whole) + id[whole.Length..] : "R-" + id[^6..].ToUpperInvariant();

    /// <summary>
    /// The id of the part at <paramref name="index"/> of the record <paramref name="wholeId"/> (an onboarding batch's
    /// request for one person): stable, so the part is filed once.
    /// </summary>
    public static string PartId(string wholeId, int index) => $"{wholeId}-{index.ToString("D2", CultureInfo.InvariantCulture)}";

    // A part's id is its whole's id, a dash and two or three digits; a record's own id ends in eight hex digits.
    private static string? WholeOf(string id)
    {
        var dash = id.LastIndexOf('-');
        var digits = id.Length - dash - 1;
        return dash >= 6 && digits is 2 or 3 && id.AsSpan(dash + 1).IndexOfAnyExceptInRange('0', '9') < 0 ? id[..dash] : null;
    }

    /// <summary>What the record is about, as its kind's type.</summary>
    public T SubjectAs<T>(JsonTypeInfo<T> type) => Subject.Deserialize(type)!;

    /// <summary>The record with a new subject.</summary>
    public ApprovalRecord WithSubject<T>(T subject, JsonTypeInfo<T> type) => this with { Subject = ToSubject(subject, type) };

    /// <summary>A kind's subject as stored in the record.</summary>
    public static JsonObject ToSubject<T>(T subject, JsonTypeInfo<T> type) => JsonSerializer.SerializeToNode(subject, type)!.AsObject();
}

/// <summary>What a decision click came to.</summary>
public enum DecisionOutcome { Decided, AlreadyDecided, Stale, Expired, NotFound }

public sealed record DecisionResult(DecisionOutcome Outcome, ApprovalRecord? Record);
