using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using TeamsBot.Protocol.Authentication;
using TeamsBot.Protocol.Connector;
using TeamsBot.Protocol.Routing;

namespace TeamsBot.Protocol;

public static class ProtocolServices
{
    /// <summary>The activity protocol: options, inbound token validation, the connector client, routing.</summary>
    public static IServiceCollection AddBotProtocol(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BotOptions>().Bind(configuration.GetSection(BotOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BotOptions>, BotOptionsValidator>();
        services.AddSingleton(TimeProvider.System);

        services.AddHttpClient(SigningKeyCache.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(20));
        services.AddSingleton<SigningKeyCache>();
        services.AddSingleton<InboundTokenValidator>();
        services.AddSingleton<IConversationReferences, ConversationReferences>();
        services.AddSingleton<InvokeBudget>();

        services.AddSingleton<IConnectorTokenSource, ConnectorTokenSource>();
        services.AddHttpClient<IConnectorClient, ConnectorClient>(ConnectorClient.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                MaxConnectionsPerServer = 256,
            })
            // Every reply goes through this client: no per-request log scope and start/stop entries (they log at
            // Information, below the configured level; failures surface as ConnectorException with the status).
            .RemoveAllLoggers()
            .AddResilienceHandler("connector", pipeline =>
            {
                // Teams' guidance: retry 412, 429 (honouring Retry-After), 502, 503 and 504; never 500.
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = 4,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = TimeSpan.FromMilliseconds(250),
                    MaxDelay = TimeSpan.FromSeconds(30),
                    ShouldRetryAfterHeader = true,
                    ShouldHandle = args => ValueTask.FromResult(
                        args.Outcome.Exception is HttpRequestException
                        || args.Outcome.Result?.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.TooManyRequests
                            or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout),
                });
                pipeline.AddTimeout(TimeSpan.FromSeconds(30));
            });

        services.AddSingleton<BotRoutes>(sp =>
        {
            var routes = new BotRoutes();
            foreach (var feature in sp.GetServices<IBotFeature>()) feature.Map(routes);
            return routes;
        });
        services.AddSingleton<ActivityProcessor>();
        return services;
    }
}

/// <summary>Checks the <c>Bot</c> section at start, with messages that name the key to fix.</summary>
public sealed class BotOptionsValidator(IHostEnvironment environment) : IValidateOptions<BotOptions>
{
    public ValidateOptionsResult Validate(string? name, BotOptions options)
    {
        var problems = new List<string>();
        if (options.AllowUnauthenticatedLocalRequests)
        {
            if (!environment.IsDevelopment())
                problems.Add($"Bot:AllowUnauthenticatedLocalRequests=true is only allowed in the Development environment (this is '{environment.EnvironmentName}').");
            if (!string.IsNullOrEmpty(options.AppId))
                problems.Add("Bot:AllowUnauthenticatedLocalRequests=true cannot be combined with Bot:AppId: remove one of them.");
        }
        else
        {
            if (!Guid.TryParse(options.AppId, out _))
                problems.Add("Bot:AppId must be the bot's Entra application (client) id, a GUID. For a local run without Azure set Bot:AllowUnauthenticatedLocalRequests=true in Development.");
            if (!Guid.TryParse(options.TenantId, out _))
                problems.Add("Bot:TenantId must be the home tenant id, a GUID.");
            CheckUrl(problems, options.OpenIdMetadataUrl, "Bot:OpenIdMetadataUrl");
            if (string.IsNullOrWhiteSpace(options.TokenIssuer)) problems.Add("Bot:TokenIssuer must not be empty.");
            CheckEntraMetadata(problems, options);
            var credential = options.ClientCredential;
            switch (credential.SourceType)
            {
                case "ClientSecret" when string.IsNullOrEmpty(credential.ClientSecret):
                    problems.Add("Bot:ClientCredential:ClientSecret is required when Bot:ClientCredential:SourceType is ClientSecret.");
                    break;
                case "Certificate" when string.IsNullOrEmpty(credential.CertificatePath) || !File.Exists(credential.CertificatePath):
                    problems.Add("Bot:ClientCredential:CertificatePath must name an existing certificate file (PEM or PFX) when SourceType is Certificate.");
                    break;
                case "ClientSecret" or "Certificate" or "ManagedIdentity":
                    break;
                default:
                    problems.Add("Bot:ClientCredential:SourceType must be ClientSecret, Certificate or ManagedIdentity.");
                    break;
            }
        }
        if (!string.IsNullOrEmpty(options.TenantId) && !Guid.TryParse(options.TenantId, out _))
            problems.Add("Bot:TenantId must be a GUID.");
        if (options.MaxActivityBytes is < 16 * 1024 or > 4 * 1024 * 1024)
            problems.Add("Bot:MaxActivityBytes must be between 16 KB and 4 MB.");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    /// <summary>
    /// Entra's metadata URL, as each accepted tenant gets it, under the rules of Bot Framework's; and never Bot Framework's
    /// own, whose keys must not vouch for Entra-issued tokens.
    /// </summary>
    private static void CheckEntraMetadata(List<string> problems, BotOptions options)
    {
        var setting = TokenIssuers.EntraMetadataSetting(options);
        foreach (var url in TokenIssuers.For(options).Where(i => !i.BotFramework).Select(i => i.MetadataUrl).Distinct(StringComparer.Ordinal))
        {
            var before = problems.Count;
            CheckUrl(problems, url, setting);
            if (problems.Count > before) return;
            if (string.Equals(url, options.OpenIdMetadataUrl, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{setting} must not name Bot:OpenIdMetadataUrl: Entra-issued tokens are checked with Entra's keys.");
                return;
            }
        }
    }

    private static void CheckUrl(List<string> problems, string url, string key)
    {
        try
        {
            SigningKeyCache.RequireAllowedUrl(url, key);
        }
        catch (InvalidOperationException ex)
        {
            problems.Add(ex.Message);
        }
    }
}
