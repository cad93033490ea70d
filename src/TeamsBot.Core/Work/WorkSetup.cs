using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace TeamsBot.Work;

public static class WorkSetup
{
    /// <summary>The background queue (work that must not hold up an answer) and this instance's identity for leases.</summary>
    public static IServiceCollection AddBackgroundWork(this IServiceCollection services)
    {
        services.TryAddSingleton<Instance>();
        if (services.Any(d => d.ServiceType == typeof(BackgroundWork))) return services;
        services.AddSingleton<BackgroundWork>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<BackgroundWork>());
        return services;
    }

    /// <summary>A job that runs on one instance at a time, under its lease (also resolvable, to run a round by hand).</summary>
    public static IServiceCollection AddLeasedJob<TJob>(this IServiceCollection services) where TJob : LeasedJob
    {
        services.AddBackgroundWork();
        services.AddSingleton<TJob>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<TJob>());
        return services;
    }
}
