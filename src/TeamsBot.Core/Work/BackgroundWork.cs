using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace TeamsBot.Work;

/// <summary>
/// Work that must not hold up an answer to Teams (card fan-out, Graph calls after a click): queued here and run by a
/// few background workers. What must survive a crash lives in the records, and the jobs' reconciliation finishes it.
/// </summary>
public sealed class BackgroundWork(ILogger<BackgroundWork> logger) : BackgroundService
{
    private readonly Channel<(string Name, Func<CancellationToken, Task> Work)> _queue =
        Channel.CreateBounded<(string, Func<CancellationToken, Task>)>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.Wait });
    private int _pending;

    /// <summary>Items queued or running (tests wait for zero); scheduled items count once they are due.</summary>
    public int Pending => Volatile.Read(ref _pending);

    public void Enqueue(string name, Func<CancellationToken, Task> work)
    {
        Interlocked.Increment(ref _pending);
        if (!_queue.Writer.TryWrite((name, work)))
        {
            Interlocked.Decrement(ref _pending);
            logger.LogError("Background queue full; dropped {Work}", name);
        }
    }

    /// <summary>Runs <paramref name="work"/> after <paramref name="delay"/> (it counts as pending once it is due).</summary>
    public void Schedule(string name, TimeSpan delay, TimeProvider time, Func<CancellationToken, Task> work) =>
        _ = Task.Delay(delay, time).ContinueWith(_ => Enqueue(name, work), TaskScheduler.Default);

    /// <summary>Waits until nothing is queued or running.</summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Pending > 0 && DateTime.UtcNow < deadline) await Task.Delay(10);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, 4).Select(_ => WorkerAsync(stoppingToken)));

    private async Task WorkerAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var (name, work) in _queue.Reader.ReadAllAsync(ct))
            {
                try
                {
                    await work(ct);
                }
                catch (Exception ex) when (!ct.IsCancellationRequested)
                {
                    logger.LogError(ex, "Background work {Work} failed", name);
                }
                finally
                {
                    Interlocked.Decrement(ref _pending);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }
}
