using TeamsBot.Access;
using TeamsBot.Help;
using TeamsBot.Policies;
using TeamsBot.Protocol;
using TeamsBot.Protocol.Routing;
using TeamsBot.Storage;
using TeamsBot.Tap;
using TeamsBot.Work;

namespace TeamsBot.Host.Hosting;

public static class BotHosting
{
    /// <summary>The activity protocol, storage, and the features every user sees (help, roles).</summary>
    public static WebApplicationBuilder AddTeamsBot(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddBotProtocol(builder.Configuration);
        services.AddDocumentStorage(builder.Configuration);
        services.AddBackgroundWork();
        services.AddOptions<BreakGlassOptions>().Bind(builder.Configuration.GetSection(BreakGlassOptions.Section));
        services.AddSingleton<RoleChecks>();
        services.AddSingleton<HelpFeature>();
        services.AddSingleton<IBotFeature>(sp => sp.GetRequiredService<HelpFeature>());
        return builder;
    }

    /// <summary>Policy admins deploy, inspect, promote and roll back the registration policies, two pairs of eyes each.</summary>
    public static WebApplicationBuilder AddRegistrationPolicies(this WebApplicationBuilder builder)
    {
        builder.Services.AddRegistrationPolicies(builder.Configuration);
        return builder;
    }

    /// <summary>Managers ask for Temporary Access Passes; approvers decide; the pass reaches the requester alone.</summary>
    public static WebApplicationBuilder AddTapRequests(this WebApplicationBuilder builder)
    {
        builder.Services.AddTapRequests(builder.Configuration);
        return builder;
    }
}
