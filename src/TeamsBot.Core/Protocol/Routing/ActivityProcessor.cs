using System.Diagnostics;
using TeamsBot.Errors;
using TeamsBot.Protocol.Connector;
using TeamsBot.Storage;

namespace TeamsBot.Protocol.Routing;

/// <summary>What the HTTP endpoint answers: a status and, for invokes, a body.</summary>
public readonly record struct TurnOutcome(int StatusCode, AdaptiveCardInvokeResponse? InvokeBody = null);

/// <summary>
/// Runs one authenticated activity through the bot: tenant pinning, conversation reference, then the route. Invokes are
/// answered in the HTTP response; for everything else the request is acknowledged first and handled after, so that a
/// reply never lands before the user's own message.
/// </summary>
public sealed class ActivityProcessor(
    BotRoutes routes,
    IConversationReferences references,
    IConnectorClient connector,
    IOptions<BotOptions> options,
    ILogger<ActivityProcessor> logger)
{
    public static readonly ActivitySource Telemetry = new("TeamsBot");

    public const string OutOfDateCard = "This card is out of date. Type **help** to see what you can do now.";
    public const string OtherTenant = "Sorry, I only work for my own organization's tenant, so I can't help with this.";

    public async Task<TurnOutcome> ProcessAsync(Activity activity, Func<Task> acknowledge, CancellationToken ct)
    {
        using var span = Telemetry.StartActivity("bot.turn");
        span?.SetTag("bot.activity.type", activity.Type);
        var correlationId = CorrelationId();

        var reference = ConversationReference.From(activity);
        if (reference is null) return new TurnOutcome(400);

        var tenant = options.Value.TenantId;
        if (!string.IsNullOrEmpty(tenant) && !string.Equals(activity.TenantId, tenant, StringComparison.OrdinalIgnoreCase))
        {
            logger.LogWarning("Activity from another tenant {TenantId} refused", activity.TenantId);
            return await RefuseOtherTenantAsync(activity, reference, correlationId, acknowledge, ct);
        }

        await references.RememberAsync(reference, ct);
        var caller = activity.From?.AadObjectId is { Length: > 0 } aad && activity.TenantId is { } tid
            ? new Caller(aad, activity.From.Name ?? aad, activity.From.Id, tid)
            : null;
        var turn = new TurnContext(activity, caller, reference, connector, correlationId);
        // Every card this turn draws is drawn for its reader (time zone, locale).
        using var reader = Cards.Reader.Use(turn.Reader);

        switch (activity.Type)
        {
            case ActivityTypes.Invoke:
                return new TurnOutcome(200, await InvokeAsync(turn, ct));
            case ActivityTypes.Message:
                await acknowledge();
                await GuardAsync(turn, () => MessageAsync(turn, ct), ct);
                return new TurnOutcome(200);
            case ActivityTypes.InstallationUpdate:
                await acknowledge();
                await InstallationAsync(turn, ct);
                return new TurnOutcome(200);
            case ActivityTypes.ConversationUpdate:
                // Teams announces an install twice (installationUpdate, then membersAdded): the reference is kept from
                // this one, the welcome comes from the other.
                await acknowledge();
                return new TurnOutcome(200);
            default:
                return new TurnOutcome(200);
        }
    }

    private async Task MessageAsync(TurnContext turn, CancellationToken ct)
    {
        var text = turn.Activity.CommandText();
        if (text.Length == 0)
        {
            // An Action.Submit from an old card, or an empty message: nothing this bot's cards send any more.
            await turn.SendTextAsync(turn.Activity.Value is null ? "Type **help** to see what I can do." : OutOfDateCard, ct);
            return;
        }
        if (turn.Caller is null)
        {
            await turn.SendTextAsync("I can't tell who you are from this message, so I can't act on it.", ct);
            return;
        }
        var route = routes.MatchCommand(text);
        if (route is not { } r)
        {
            await turn.SendTextAsync("Sorry, I didn't understand that. Type **help** to see what you can do.", ct);
            return;
        }
        System.Diagnostics.Activity.Current?.SetTag("bot.command", r.Match.Groups[0].Value.Split(' ', 2)[0].ToLowerInvariant());
        await r.Handler(turn, r.Match, ct);
    }

    private async Task<AdaptiveCardInvokeResponse> InvokeAsync(TurnContext turn, CancellationToken ct)
    {
        if (turn.Activity.Name != "adaptiveCard/action")
            return AdaptiveCardInvokeResponse.Error(501, "NotSupported", $"The invoke '{turn.Activity.Name}' is not supported.");
        var action = turn.Activity.CardAction();
        if (action is null || action.Type != "Action.Execute")
            return AdaptiveCardInvokeResponse.Error(400, "NotSupported", "Only Action.Execute is supported.");
        if (string.IsNullOrEmpty(action.Verb))
            return AdaptiveCardInvokeResponse.Error(400, "BadRequest", "The action has no verb.");
        System.Diagnostics.Activity.Current?.SetTag("bot.verb", action.Verb);
        var handler = routes.MatchVerb(action.Verb);
        if (handler is null) return AdaptiveCardInvokeResponse.Message(OutOfDateCard);
        if (turn.Caller is null)
            return AdaptiveCardInvokeResponse.Error(400, "BadRequest", "The action does not say who clicked it.");

        try
        {
            return await handler(turn, action, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return AdaptiveCardInvokeResponse.Message(Failure(turn, ex));
        }
    }

    private async Task InstallationAsync(TurnContext turn, CancellationToken ct)
    {
        switch (turn.Activity.Action)
        {
            case "add" or "add-upgrade":
                await RunInstalledAsync(turn, ct);
                break;
            case "remove" or "remove-upgrade" when turn.Reference.IsPersonal && turn.Caller is { } caller:
                await references.ForgetUserAsync(caller.AadObjectId, ct);
                break;
        }
    }

    private async Task RunInstalledAsync(TurnContext turn, CancellationToken ct)
    {
        foreach (var handler in routes.InstalledHandlers)
            await GuardAsync(turn, () => handler(turn, ct), ct);
    }

    /// <summary>Runs a handler after the request was acknowledged: a failure becomes a short message and a log entry.</summary>
    private async Task GuardAsync(TurnContext turn, Func<Task> handler, CancellationToken ct)
    {
        try
        {
            await handler();
        }
        catch (ConnectorException ex)
        {
            // Teams refused the reply (the conversation is gone, the id is bad, it kept throttling): nothing crashed, and
            // another message to the same conversation would be refused too.
            logger.LogWarning("Reply not delivered: {Status} {Code} [{CorrelationId}]", (int)ex.Status, ex.Code, turn.CorrelationId);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            var message = Failure(turn, ex);
            try
            {
                await turn.SendTextAsync(message, ct);
            }
            catch (Exception sendFailure)
            {
                logger.LogWarning(sendFailure, "Could not tell the user about failure {CorrelationId}", turn.CorrelationId);
            }
        }
    }

    private string Failure(TurnContext turn, Exception ex)
    {
        switch (ex)
        {
            case UserFacingException told:
                logger.LogWarning("{Problem} [{CorrelationId}]", told.LogText, turn.CorrelationId);
                return $"{told.Message} (ref {turn.CorrelationId})";
            case ConnectorException connector:
                // Teams refused something posted while handling the click: not a failure of the bot's own.
                logger.LogWarning("A post to Teams was refused: {Status} {Code} [{CorrelationId}]", (int)connector.Status, connector.Code, turn.CorrelationId);
                return $"Teams didn't accept what I tried to post ({connector.Message}) Please try again. (ref {turn.CorrelationId})";
            default:
                logger.LogError(ex, "Turn failed [{CorrelationId}]", turn.CorrelationId);
                return $"Something went wrong on my side. Please try again; if it keeps happening, give your admin this reference: {turn.CorrelationId}.";
        }
    }

    private async Task<TurnOutcome> RefuseOtherTenantAsync(Activity activity, ConversationReference reference, string correlationId,
        Func<Task> acknowledge, CancellationToken ct)
    {
        if (activity.Type == ActivityTypes.Invoke)
            return new TurnOutcome(200, AdaptiveCardInvokeResponse.Message(OtherTenant));
        await acknowledge();
        if (activity.Type == ActivityTypes.Message)
        {
            var turn = new TurnContext(activity, null, reference, connector, correlationId);
            try
            {
                await turn.SendTextAsync(OtherTenant, ct);
            }
            catch (ConnectorException ex)
            {
                logger.LogInformation("Refusal to tenant {TenantId} could not be delivered: {Status}", activity.TenantId, ex.Status);
            }
        }
        return new TurnOutcome(200);
    }

    private static string CorrelationId() =>
        System.Diagnostics.Activity.Current?.TraceId.ToHexString()[..12] ?? Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));
}
