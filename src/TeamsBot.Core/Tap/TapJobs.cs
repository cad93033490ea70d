using TeamsBot.Approvals;
using TeamsBot.Storage;
using TeamsBot.Work;

namespace TeamsBot.Tap;

/// <summary>
/// Every <see cref="TapOptions.JobInterval"/>, on one instance: expire pending requests, recover what a crash
/// interrupted (the approval workflow's jobs, for TAP requests), and show passes that have ended.
/// </summary>
public sealed class TapJobs(ApprovalWorkflow workflow, TapRequestKind kind, TapBatchKind batchKind, TapRequests requests, ILeases leases, Instance instance,
    IOptions<TapOptions> options, TimeProvider time, ILogger<TapJobs> logger) : LeasedJob(leases, instance, time, logger)
{
    /// <summary>The default of <see cref="TapOptions.StuckIssuanceAfter"/>.</summary>
    public static readonly TimeSpan StuckAfter = TapOptions.DefaultStuckIssuanceAfter;

    protected override string LeaseName => "tap-jobs";

    protected override TimeSpan Interval => options.Value.JobInterval;

    protected override async Task WorkAsync(CancellationToken ct)
    {
        var expired = await workflow.ExpireAsync(kind, ct) + await workflow.ExpireAsync(batchKind, ct);
        var ended = await requests.ShowEndedPassesAsync(ct);
        // Batches first: a batch interrupted before it filed its requests files them, and their own recovery follows.
        var recovered = await workflow.RecoverAsync(batchKind, ct) + await workflow.RecoverAsync(kind, ct);
        if (expired + ended + recovered > 0)
            Logger.LogInformation("TAP jobs: {Expired} expired, {Ended} passes ended, {Recovered} recovered", expired, ended, recovered);
    }
}

/// <summary>
/// Every <see cref="TapOptions.RegistrationWatchInterval"/>, on one instance: the custody watch of issued passes
/// (<see cref="TapCustody"/>).
/// </summary>
public sealed class TapCustodyJob(TapCustody custody, ILeases leases, Instance instance, IOptions<TapOptions> options, TimeProvider time,
    ILogger<TapCustodyJob> logger) : LeasedJob(leases, instance, time, logger)
{
    protected override string LeaseName => "tap-custody";

    protected override TimeSpan Interval => options.Value.RegistrationWatchInterval;

    protected override async Task WorkAsync(CancellationToken ct)
    {
        var round = await custody.WatchAsync(ct);
        if (round.Total > 0)
            Logger.LogInformation("TAP custody: {Registered} registrations seen, {Deleted} passes deleted, {Reminded} reminders, {Expired} expired unused",
                round.Registered, round.Deleted, round.Reminded, round.ExpiredUnused);
    }
}
