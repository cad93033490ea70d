using Azure.Core;
using Microsoft.Graph;
using Microsoft.Graph.Authentication;
using TeamsBot.Identity;

namespace TeamsBot.Directory;

/// <summary>
/// Builds the GraphServiceClient on first use, from the "Graph" and "Bot" configuration sections, so a host can start
/// the simulated tenant first and set Graph:BaseUrl afterwards. The client uses the SDK's default middleware
/// (retry honouring Retry-After, redirects, telemetry).
/// </summary>
internal sealed class GraphClientProvider(IConfiguration configuration)
{
    public const string GraphScope = "https://graph.microsoft.com/.default";
    private const string DefaultBaseUrl = "https://graph.microsoft.com/v1.0";

    private readonly Lock gate = new();
    private GraphServiceClient? client;
    private string? clientKey;

    /// <summary>
    /// The app ids the bot calls Graph as (Bot:AppId, and a user-assigned managed identity's client id): what the
    /// directory audit log names as the initiator of the bot's own changes. Empty in local mode.
    /// </summary>
    public IReadOnlySet<string> OwnAppIds
    {
        get
        {
            var bot = configuration.GetSection(BotIdentityOptions.Section).Get<BotIdentityOptions>() ?? new BotIdentityOptions();
            return new[] { bot.AppId, bot.ClientCredential.ManagedIdentityClientId }.Where(id => !string.IsNullOrWhiteSpace(id))
                .Select(id => id!.Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase);
        }
    }

    /// <summary>The client for the current Graph:Mode and Graph:BaseUrl (rebuilt if either changes).</summary>
    public GraphServiceClient Client
    {
        get
        {
            var mode = ReadMode();
            var baseUrl = configuration["Graph:BaseUrl"];
            var key = $"{mode}|{baseUrl}";
            lock (gate)
            {
                if (client is null || clientKey != key)
                {
                    client = Build(mode, baseUrl);
                    clientKey = key;
                }
                return client;
            }
        }
    }

    private GraphMode ReadMode()
    {
        var text = configuration["Graph:Mode"];
        if (string.IsNullOrWhiteSpace(text))
        {
            return GraphMode.Live;
        }
        return Enum.TryParse<GraphMode>(text, ignoreCase: true, out var mode)
            ? mode
            : throw new InvalidOperationException($"Graph:Mode '{text}' is not valid: use Live or Simulated.");
    }

    private GraphServiceClient Build(GraphMode mode, string? baseUrl)
    {
        if (mode == GraphMode.Simulated)
        {
            if (string.IsNullOrWhiteSpace(baseUrl) || !Uri.TryCreate(baseUrl, UriKind.Absolute, out var simulated))
            {
                throw new InvalidOperationException(
                    "Graph:BaseUrl is not set. In Simulated mode the host starts the simulated tenant and sets Graph:BaseUrl to its service root.");
            }
            // The Graph token provider only attaches tokens for allowed hosts: without the loopback names the
            // simulated tenant would get no token at all.
            var provider = new AzureIdentityAuthenticationProvider(new SimulatedTenantCredential(),
                [simulated.Host, "127.0.0.1", "localhost"], null, isCaeEnabled: false, GraphScope);
            return new GraphServiceClient(provider, baseUrl.TrimEnd('/'));
        }

        var root = string.IsNullOrWhiteSpace(baseUrl) ? DefaultBaseUrl : baseUrl.TrimEnd('/');
        if (!Uri.TryCreate(root, UriKind.Absolute, out var live))
        {
            throw new InvalidOperationException($"Graph:BaseUrl '{baseUrl}' is not an absolute URL.");
        }
        string[]? hosts = string.Equals(live.Host, "graph.microsoft.com", StringComparison.OrdinalIgnoreCase) ? null : [live.Host];
        var auth = new AzureIdentityAuthenticationProvider(LiveCredential(), hosts, null, isCaeEnabled: true, GraphScope);
        return new GraphServiceClient(auth, root);
    }

    /// <summary>The bot's own app credential (Bot:ClientCredential), the same one the connector uses.</summary>
    private TokenCredential LiveCredential()
    {
        return BotCredential.Create(configuration)
            ?? throw new InvalidOperationException("Bot:AppId is required for Microsoft Graph in Live mode (Graph:Mode=Live).");
    }
}

/// <summary>The fixed token the simulated tenant accepts (it only checks that one is sent).</summary>
internal sealed class SimulatedTenantCredential : TokenCredential
{
    private const string DevToken = "simulated-tenant-dev-token";

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        new(DevToken, DateTimeOffset.UtcNow.AddHours(1));

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
