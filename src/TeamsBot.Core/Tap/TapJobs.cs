using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TeamsBot.Storage;
using TeamsBot.Work;

namespace TeamsBot.Tap;

/// <summary>
/// Every <see cref="TapOptions.JobInterval"/>, on one instance: expire pending requests, show ended passes, finish
/// issuances and approval-card posts interrupted for longer than <see cref="TapOptions.StuckIssuanceAfter"/>.
/// </summary>
public sealed class TapJobs(TapService service, ILeases leases, Instance instance, IOptions<TapOptions> options, TimeProvider time,
    ILogger<TapJobs> logger) : LeasedJob(leases, instance, time, logger)
{
    /// <summary>The default of <see cref="TapOptions.StuckIssuanceAfter"/>.</summary>
    public static readonly TimeSpan StuckAfter = TapOptions.DefaultStuckIssuanceAfter;

    protected override string LeaseName => "tap-jobs";

    protected override TimeSpan Interval => options.Value.JobInterval > TimeSpan.Zero
        ? options.Value.JobInterval
        : throw new InvalidOperationException("Tap:JobInterval must be a positive time span (for example 00:01:00).");

    protected override async Task WorkAsync(CancellationToken ct)
    {
        var expired = await service.ExpireAsync(ct);
        var reconciled = await service.ReconcileAsync(options.Value.StuckIssuanceAfter, ct);
        if (expired + reconciled > 0) Logger.LogInformation("TAP jobs: {Expired} expired or ended, {Reconciled} reconciled", expired, reconciled);
    }
}
