using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TeamsBot.Storage;

namespace TeamsBot.Tap;

/// <summary>
/// Every minute, on one instance at a time (a lease in the shared store): expire pending requests, show ended passes,
/// and finish issuances a crash interrupted. Runs once right at start so that a restart recovers at once.
/// </summary>
public sealed class TapJobs(TapService service, ILeases leases, TimeProvider time, ILogger<TapJobs> logger) : BackgroundService
{
    public static readonly string Instance = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    /// <summary>How long an issuance may sit in Executing before it is taken for dead.</summary>
    public static readonly TimeSpan StuckAfter = TimeSpan.FromMinutes(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            await RunOnceAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task RunOnceAsync(CancellationToken ct)
    {
        try
        {
            if (!await leases.TryAcquireAsync("tap-jobs", Instance, Interval * 3, ct)) return;
            var expired = await service.ExpireAsync(ct);
            var reconciled = await service.ReconcileAsync(StuckAfter, ct);
            if (expired + reconciled > 0) logger.LogInformation("TAP jobs: {Expired} expired or ended, {Reconciled} reconciled", expired, reconciled);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            logger.LogError(ex, "TAP jobs failed; they run again in a minute");
        }
    }
}
