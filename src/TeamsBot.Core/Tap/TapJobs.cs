using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TeamsBot.Storage;
using TeamsBot.Work;

namespace TeamsBot.Tap;

/// <summary>
/// Every minute, on one instance at a time (a lease in the shared store): expire pending requests, show ended passes,
/// and finish issuances a crash interrupted. Runs once right at start so that a restart recovers at once.
/// </summary>
public sealed class TapJobs(TapService service, ILeases leases, Instance instance, TimeProvider time, ILogger<TapJobs> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);
    private readonly SemaphoreSlim _running = new(1, 1);

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

    /// <summary>On a clean stop the lease goes at once, so that another instance (or this one restarted) takes over.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await leases.ReleaseAsync("tap-jobs", instance.Id, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Could not release the tap-jobs lease; it expires by itself");
        }
    }

    public override void Dispose()
    {
        _running.Dispose();
        base.Dispose();
    }

    /// <summary>One round of the jobs; rounds never overlap within an instance (the timer and a caller may both ask).</summary>
    public async Task RunOnceAsync(CancellationToken ct)
    {
        await _running.WaitAsync(ct);
        try
        {
            if (!await leases.TryAcquireAsync("tap-jobs", instance.Id, Interval * 3, ct)) return;
            var expired = await service.ExpireAsync(ct);
            var reconciled = await service.ReconcileAsync(StuckAfter, ct);
            if (expired + reconciled > 0) logger.LogInformation("TAP jobs: {Expired} expired or ended, {Reconciled} reconciled", expired, reconciled);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            logger.LogError(ex, "TAP jobs failed; they run again in a minute");
        }
        finally
        {
            _running.Release();
        }
    }
}
