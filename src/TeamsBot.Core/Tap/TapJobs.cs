using Microsoft.Extensions.Logging;
using TeamsBot.Storage;
using TeamsBot.Work;

namespace TeamsBot.Tap;

/// <summary>Every minute, on one instance: expire pending requests, show ended passes, finish interrupted issuances.</summary>
public sealed class TapJobs(TapService service, ILeases leases, Instance instance, TimeProvider time, ILogger<TapJobs> logger)
    : LeasedJob(leases, instance, time, logger)
{
    /// <summary>How long an issuance may sit in Executing before it is taken for dead.</summary>
    public static readonly TimeSpan StuckAfter = TimeSpan.FromMinutes(2);

    protected override string LeaseName => "tap-jobs";

    protected override async Task WorkAsync(CancellationToken ct)
    {
        var expired = await service.ExpireAsync(ct);
        var reconciled = await service.ReconcileAsync(StuckAfter, ct);
        if (expired + reconciled > 0) Logger.LogInformation("TAP jobs: {Expired} expired or ended, {Reconciled} reconciled", expired, reconciled);
    }
}
