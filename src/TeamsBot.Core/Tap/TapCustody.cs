using TeamsBot.Approvals;
using TeamsBot.Directory;
using TeamsBot.Storage;

namespace TeamsBot.Tap;

/// <summary>What one round of the custody watch did.</summary>
public sealed record CustodyRound(int Registered, int Deleted, int Reminded, int ExpiredUnused)
{
    public int Total => Registered + Deleted + Reminded + ExpiredUnused;
}

/// <summary>
/// Custody of a pass after it was made, to its end. A pass exists so that the hire can register a method of their
/// own; once they have, it is deleted, and the requester and the approver who decided are told. An unused pass about
/// to expire reminds its requester once; one that expired unused tells them once and offers a new request.
/// <para>
/// Each step is recorded on the request by compare-and-swap before anyone is told: of two rounds at once (two
/// instances, or a round overlapping the next), one wins each step and tells; the other sees it done. A crash between
/// recording a step and telling loses that notice rather than sending it twice. Deleting the pass is done before its
/// step is recorded and is safe to repeat, so a crash there only means the next round deletes again.
/// </para>
/// </summary>
public sealed class TapCustody(
    ApprovalWorkflow workflow,
    ApprovalEngine engine,
    IAuthenticationMethods methods,
    ITemporaryAccessPasses passes,
    TapCards cards,
    PassVault vault,
    IAuditLog audit,
    IOptions<TapOptions> options,
    TimeProvider time,
    ILogger<TapCustody> logger)
{
    /// <summary>
    /// Method types that are not a way of signing in of the hire's own: the password they were given, the pass itself,
    /// and e-mail (self-service password reset only, it satisfies no MFA). Learn: "Authentication methods in Microsoft
    /// Entra ID" (https://learn.microsoft.com/entra/identity/authentication/concept-authentication-methods).
    /// </summary>
    private static readonly HashSet<string> NotOwnSignIn = new(StringComparer.OrdinalIgnoreCase) { "password", "temporaryAccessPass", "email" };

    /// <summary>
    /// A pass that ended longer ago than this is no longer watched: the bot was not running when it ended, and a notice
    /// a day late is noise.
    /// </summary>
    private static readonly TimeSpan TooLate = TimeSpan.FromDays(1);

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<RegisteredMethod>> NoneRead =
        new Dictionary<string, IReadOnlyList<RegisteredMethod>>();

    private TapOptions Options => options.Value;

    /// <summary>One round: every issued, unrevoked pass is looked at; the hires' methods are read in Graph $batch calls of 20.</summary>
    public async Task<CustodyRound> WatchAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var issued = (await engine.OpenAsync(TapRequest.Kind, ct))
            .Where(r => r.State == ApprovalState.Completed && r.Tap() is { MethodId: not null, RevokedAt: null })
            .ToList();
        var watched = issued.Where(r => r.Tap() is { RegisteredAt: null, ExpiredUnusedAt: null } t && now < t.EndsAt + TooLate).ToList();
        var found = watched.Count == 0 ? NoneRead : await methods.ListForUsersAsync([.. watched.Select(r => r.Tap().TargetId)], ct);

        int registered = 0, reminded = 0, expired = 0;
        // Registrations seen in an earlier round whose later steps a crash or a Graph failure interrupted.
        var unfinished = issued.Where(r => r.Tap() is { RegisteredAt: not null } t && (t.PassDeletedAt is null || !t.RegistrationTold))
            .Select(r => r.Id).ToList();
        foreach (var record in watched)
        {
            var tap = record.Tap();
            // Not read this round (Graph failed for this person): nothing is known, so nothing is said.
            if (!found.TryGetValue(tap.TargetId, out var list)) continue;
            if (OwnMethod(tap, list) is { } method)
            {
                var seen = await ClaimAsync(record.Id, t => t is { RegisteredAt: null, RevokedAt: null }
                    ? t with { RegisteredMethod = method.Type, RegisteredAt = method.CreatedDateTime ?? time.GetUtcNow() }
                    : null, ct);
                if (seen is null) continue;
                registered++;
                await Audit("tap.registered", seen, $"{seen.Reference}; {method.Type} registered {seen.Tap().RegisteredAt:O}", ct);
                unfinished.Add(record.Id);
            }
            else if (now >= tap.EndsAt)
            {
                var ended = await ClaimAsync(record.Id, t => t is { RegisteredAt: null, RevokedAt: null, ExpiredUnusedAt: null }
                    ? t with { ExpiredUnusedAt = time.GetUtcNow() }
                    : null, ct);
                if (ended is null) continue;
                expired++;
                vault.Forget(record.Id);
                await Audit("tap.expired-unused", ended, $"{ended.Reference}; ended {tap.EndsAt:O} with no method registered", ct);
                await workflow.RefreshAsync(ended, CancellationToken.None);
                await workflow.Cards.SendCardToUserAsync(ended.Requester.Id, cards.ExpiredUnusedNotice(ended), CancellationToken.None);
            }
            else if (tap.ReminderSentAt is null && now >= tap.StartsAt && now >= tap.EndsAt - ReminderLead(tap))
            {
                var due = await ClaimAsync(record.Id, t => t is { RegisteredAt: null, RevokedAt: null, ReminderSentAt: null }
                    ? t with { ReminderSentAt = time.GetUtcNow() }
                    : null, ct);
                if (due is null) continue;
                reminded++;
                await Audit("tap.reminded", due, $"{due.Reference}; ends {tap.EndsAt:O}, no method registered yet", ct);
                await workflow.Cards.SendCardToUserAsync(due.Requester.Id, cards.ExpiryReminder(due), CancellationToken.None);
            }
        }

        var deleted = 0;
        foreach (var id in unfinished.Distinct(StringComparer.Ordinal))
        {
            try
            {
                if (await FinishRegistrationAsync(id, ct)) deleted++;
            }
            catch (DirectoryException ex)
            {
                // The pass is still there: the next round deletes it; nobody is told before it is gone.
                logger.LogWarning("The pass of {RecordId} could not be deleted after the registration: {Kind} {GraphCode}", id, ex.Kind, ex.GraphCode);
            }
        }
        return new CustodyRound(registered, deleted, reminded, expired);
    }

    /// <summary>
    /// How long before its end an unused pass reminds its requester: <see cref="TapOptions.ExpiryReminderLead"/>, at
    /// most a quarter of the pass's lifetime.
    /// </summary>
    public TimeSpan ReminderLead(TapRequest tap)
    {
        var quarter = TimeSpan.FromMinutes(tap.LifetimeMinutes / 4.0);
        return Options.ExpiryReminderLead < quarter ? Options.ExpiryReminderLead : quarter;
    }

    /// <summary>
    /// The first method of the hire's own registered since the pass was made. Graph may leave a method's
    /// createdDateTime empty; such a method counts when the hire had no method of its type when the request was filed.
    /// </summary>
    public static RegisteredMethod? OwnMethod(TapRequest tap, IReadOnlyList<RegisteredMethod> registered) =>
        registered
            .Where(m => !NotOwnSignIn.Contains(m.Type))
            .Where(m => m.CreatedDateTime is { } at ? tap.IssuedAt is { } issuedAt && at >= issuedAt : !tap.ExistingMethods.Contains(m.Type))
            .OrderBy(m => m.CreatedDateTime ?? DateTimeOffset.MaxValue)
            .FirstOrDefault();

    /// <summary>Deletes the pass of a hire who registered, then tells the requester and the approver. True when this call recorded the deletion.</summary>
    private async Task<bool> FinishRegistrationAsync(string id, CancellationToken ct)
    {
        var record = await engine.GetAsync(id, ct);
        if (record?.Tap() is not { RegisteredAt: not null } tap) return false;
        var deletedNow = false;
        if (tap.PassDeletedAt is null)
        {
            vault.Forget(id);
            // Deleting twice is harmless (the second finds nothing): the step is recorded only once it is done.
            await passes.DeleteAsync(tap.TargetId, tap.MethodId!, ct);
            var deleted = await ClaimAsync(id, t => t is { RegisteredAt: not null, PassDeletedAt: null } ? t with { PassDeletedAt = time.GetUtcNow() } : null, ct);
            if (deleted is not null)
            {
                deletedNow = true;
                await Audit("tap.deleted", deleted,
                    $"{deleted.Reference}; {tap.TargetUpn} registered {tap.RegisteredMethod} {tap.RegisteredAt:O}, so the pass (method {tap.MethodId}) was deleted", ct);
                await workflow.RefreshAsync(deleted, CancellationToken.None);
            }
        }

        var told = await ClaimAsync(id, t => t is { PassDeletedAt: not null, RegistrationTold: false } ? t with { RegistrationTold = true } : null, ct);
        if (told is null) return deletedNow;
        var approver = told.Decision?.By;
        await workflow.Cards.SendCardToUserAsync(told.Requester.Id, cards.RegistrationNotice(told, forRequester: true), CancellationToken.None);
        if (approver is not null && !string.Equals(approver.Id, told.Requester.Id, StringComparison.OrdinalIgnoreCase))
            await workflow.Cards.SendCardToUserAsync(approver.Id, cards.RegistrationNotice(told, forRequester: false), CancellationToken.None);
        await Audit("tap.registration-told", told,
            $"{told.Reference}; told {told.Requester.Name} (requester){(approver is null ? "" : $" and {approver.Name} (approver)")}", ct);
        return deletedNow;
    }

    /// <summary>
    /// Applies one custody step to the request if it still applies; the record when this caller made the change, null
    /// when the step did not apply (done by someone else, or the pass moved on).
    /// </summary>
    private async Task<ApprovalRecord?> ClaimAsync(string id, Func<TapRequest, TapRequest?> step, CancellationToken ct)
    {
        var won = false;
        var record = await engine.AmendAsync(id, r =>
        {
            won = false;
            if (r.State != ApprovalState.Completed || step(r.Tap()) is not { } next) return null;
            won = true;
            return r.WithTap(next);
        }, ct);
        return won ? record : null;
    }

    // After a step is recorded its audit entry is written even if the round is being stopped.
    private Task Audit(string action, ApprovalRecord record, string details, CancellationToken _) =>
        audit.AppendAsync(new AuditEntry(time.GetUtcNow(), action, "bot", "TeamsBot", record.Tap().TargetUpn, action switch
        {
            "tap.registered" => "registered",
            "tap.deleted" => "deleted",
            "tap.registration-told" => "told",
            "tap.reminded" => "reminded",
            _ => "expired",
        }, details), CancellationToken.None);
}
