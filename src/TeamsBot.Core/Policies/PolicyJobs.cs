using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TeamsBot.Storage;
using TeamsBot.Work;

namespace TeamsBot.Policies;

/// <summary>
/// On one instance at a time (a lease): every minute, expire plans and finish applies a crash interrupted; at the
/// configured interval, watch the deployed policies for drift.
/// </summary>
public sealed class PolicyJobs(PolicyService service, ILeases leases, Instance instance, IOptions<PolicyOptions> options, TimeProvider time,
    ILogger<PolicyJobs> logger) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromMinutes(1);
    private readonly SemaphoreSlim _running = new(1, 1);
    private DateTimeOffset _nextDriftWatch = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick, time);
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
            await leases.ReleaseAsync("policy-jobs", instance.Id, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Could not release the policy-jobs lease; it expires by itself");
        }
    }

    public override void Dispose()
    {
        _running.Dispose();
        base.Dispose();
    }

    public async Task RunOnceAsync(CancellationToken ct, bool forceDriftWatch = false)
    {
        await _running.WaitAsync(ct);
        try
        {
            if (!await leases.TryAcquireAsync("policy-jobs", instance.Id, Tick * 3, ct)) return;
            await service.ExpireAsync(ct);
            if (forceDriftWatch || time.GetUtcNow() >= _nextDriftWatch)
            {
                _nextDriftWatch = time.GetUtcNow() + options.Value.DriftWatchInterval;
                var alerts = await service.WatchDriftAsync(ct);
                if (alerts > 0) logger.LogInformation("Drift watch: {Count} policy(ies) changed outside the bot", alerts);
            }
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            logger.LogError(ex, "Policy jobs failed; they run again in a minute");
        }
        finally
        {
            _running.Release();
        }
    }
}
