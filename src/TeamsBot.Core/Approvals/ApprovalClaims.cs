using System.Collections.Concurrent;
using System.Diagnostics;
using TeamsBot.Storage;

namespace TeamsBot.Approvals;

/// <summary>What a claim on a key came to.</summary>
public abstract record ClaimOutcome
{
    /// <summary>This caller holds the key and files the record under <paramref name="RecordId"/>.</summary>
    public sealed record Owned(ApprovalClaim Claim) : ClaimOutcome;

    /// <summary>A stored record holds the key (a form filed already, a pending request for the same person).</summary>
    public sealed record Held(ApprovalRecord Record) : ClaimOutcome;

    /// <summary>Someone else is filing under the key right now (a second click while the first is at work).</summary>
    public sealed record Filing(string RecordId) : ClaimOutcome;

    /// <summary>The click this one waited for was refused, for these reasons.</summary>
    public sealed record Refused(IReadOnlyList<string> Problems) : ClaimOutcome;
}

/// <summary>
/// Keys that name one approval record while it lives: "this form was filed as R-…", "this person has a pending
/// request", "this plan waits for approval". A click that starts work claims its key before it does anything, so
/// however many copies of the click arrive, on however many instances, one files the record, one writes the audit entry,
/// one posts the cards; the others wait for that one and answer with what it filed. A claim is only ever released,
/// refused or taken over by compare-and-swap on what its owner wrote, so nobody releases someone else's claim.
/// </summary>
public sealed class ApprovalClaims(IDocumentStore store, ApprovalStore records, TimeProvider time)
{
    private const string Collection = "claims";

    // Owners on this instance: local waiters are woken when the owner finishes instead of on their next poll.
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _owners = new(StringComparer.Ordinal);

    /// <summary>
    /// Claims <paramref name="key"/> for a new record (under <paramref name="recordId"/>, or a new time-ordered id). A record that <paramref name="holds"/> keeps the key; one that no
    /// longer does (final, say) gives it up. A claim whose record never appeared is taken over after
    /// <paramref name="staleAfter"/> (its owner crashed). Waits while someone else is filing, for at most
    /// <paramref name="patience"/>; then answers <see cref="ClaimOutcome.Filing"/>.
    /// </summary>
    public async Task<ClaimOutcome> ClaimAsync(string key, string? recordId, Func<ApprovalRecord, bool> holds, TimeSpan staleAfter,
        TimeSpan patience, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        string? awaited = null;
        var pause = TimeSpan.FromMilliseconds(5);
        while (true)
        {
            var outcome = await TryClaimAsync(key, recordId, holds, staleAfter, awaited, ct);
            if (outcome is not ClaimOutcome.Filing filing) return outcome;
            if (waited.Elapsed >= patience) return outcome;
            awaited = filing.RecordId;
            // Woken by a local owner at once; an owner on another instance is seen at the next read.
            var pace = Task.Delay(pause, ct);
            if (_owners.TryGetValue(key, out var signal)) await Task.WhenAny(signal.Task, pace);
            else await pace;
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromMilliseconds(200).Ticks));
        }
    }

    private async Task<ClaimOutcome> TryClaimAsync(string key, string? recordId, Func<ApprovalRecord, bool> holds, TimeSpan staleAfter,
        string? awaited, CancellationToken ct)
    {
        while (true)
        {
            var mine = new StoredClaim(recordId ?? TimeOrderedKey.New(time.GetUtcNow()), time.GetUtcNow());
            if (await store.TryInsertAsync(Collection, key, Serialize(mine), ct)) return Own(key, mine);

            var existing = await store.GetAsync(Collection, key, ct);
            if (existing is null) continue; // released in between: try again
            var claim = Deserialize(existing.Json);
            if (claim.Refused is { } problems)
            {
                // The owner was refused. Whoever waited for it gets its answer; a later click tries afresh (the form may
                // have been corrected).
                if (claim.RecordId == awaited) return new ClaimOutcome.Refused(problems);
                if (await store.TryReplaceAsync(Collection, key, Serialize(mine), existing.ETag, ct)) return Own(key, mine);
                continue;
            }
            var record = (await records.GetAsync(claim.RecordId, ct))?.Record;
            if (record is not null)
            {
                if (holds(record)) return new ClaimOutcome.Held(record);
                if (await store.TryReplaceAsync(Collection, key, Serialize(mine), existing.ETag, ct)) return Own(key, mine);
                continue;
            }
            if (time.GetUtcNow() - claim.At >= staleAfter)
            {
                // Its owner never filed the record (it crashed, or gave up without a word): take the key over.
                if (await store.TryReplaceAsync(Collection, key, Serialize(mine), existing.ETag, ct)) return Own(key, mine);
                continue;
            }
            return new ClaimOutcome.Filing(claim.RecordId);
        }
    }

    private ClaimOutcome.Owned Own(string key, StoredClaim claim)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _owners[key] = signal;
        return new ClaimOutcome.Owned(new ApprovalClaim(this, key, claim.RecordId, signal));
    }

    /// <summary>The record was filed: the key is held by it from now on.</summary>
    internal void Filed(ApprovalClaim claim) => Wake(claim);

    /// <summary>Marks the claim refused (waiting clicks get the reasons), if it is still the caller's.</summary>
    internal async Task RefuseAsync(ApprovalClaim claim, IReadOnlyList<string> problems, CancellationToken ct)
    {
        try
        {
            var existing = await store.GetAsync(Collection, claim.Key, ct);
            if (existing is null || Deserialize(existing.Json).RecordId != claim.RecordId) return;
            var refused = new StoredClaim(claim.RecordId, time.GetUtcNow(), problems);
            await store.TryReplaceAsync(Collection, claim.Key, Serialize(refused), existing.ETag, ct);
        }
        finally
        {
            Wake(claim);
        }
    }

    /// <summary>Gives the key up, if it is still the caller's (work failed; a retry may try again).</summary>
    internal async Task ReleaseAsync(ApprovalClaim claim, CancellationToken ct)
    {
        try
        {
            var existing = await store.GetAsync(Collection, claim.Key, ct);
            if (existing is not null && Deserialize(existing.Json).RecordId == claim.RecordId)
                await store.DeleteAsync(Collection, claim.Key, existing.ETag, ct);
        }
        finally
        {
            Wake(claim);
        }
    }

    private void Wake(ApprovalClaim claim)
    {
        _owners.TryRemove(KeyValuePair.Create(claim.Key, claim.Signal));
        claim.Signal.TrySetResult();
    }

    private static string Serialize(StoredClaim claim) => JsonSerializer.Serialize(claim, ClaimJson.Default.StoredClaim);
    private static StoredClaim Deserialize(string json) => JsonSerializer.Deserialize(json, ClaimJson.Default.StoredClaim)!;
}

/// <summary>A key this caller holds, with the id to file the record under.</summary>
public sealed class ApprovalClaim
{
    private readonly ApprovalClaims _claims;

    internal ApprovalClaim(ApprovalClaims claims, string key, string recordId, TaskCompletionSource signal)
    {
        _claims = claims;
        Key = key;
        RecordId = recordId;
        Signal = signal;
    }

    public string Key { get; }
    public string RecordId { get; }
    internal TaskCompletionSource Signal { get; }

    /// <summary>The record is stored: it holds the key now.</summary>
    public void Filed() => _claims.Filed(this);

    public Task RefuseAsync(IReadOnlyList<string> problems, CancellationToken ct) => _claims.RefuseAsync(this, problems, ct);

    public Task ReleaseAsync(CancellationToken ct) => _claims.ReleaseAsync(this, ct);
}

internal sealed record StoredClaim(string RecordId, DateTimeOffset At, IReadOnlyList<string>? Refused = null);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StoredClaim))]
internal sealed partial class ClaimJson : JsonSerializerContext;
