using TeamsBot.Access;
using TeamsBot.Cards;
using TeamsBot.Help;
using TeamsBot.Protocol;
using TeamsBot.Protocol.Routing;

namespace TeamsBot.Tap;

/// <summary>The TAP commands and card verbs, mapped onto <see cref="TapService"/>.</summary>
public sealed class TapFeature(TapService service) : IBotFeature, IHelpContributor
{
    private const string PersonalOnly = "Ask me for a Temporary Access Pass in our 1:1 chat: the pass is only ever shown there.";

    public void Map(BotRoutes routes)
    {
        routes
            .OnCommand(@"^my\s+(?:tap\s+)?requests?$", async (turn, _, ct) => await turn.SendCardAsync(await service.MineAsync(turn.Caller!, ct), ct))
            .OnCommand(@"^(?:pending|approvals|pending\s+approvals|pending\s+requests)$", PendingAsync)
            .OnCommand(@"^(?:(?:please\s+)?(?:i\s+need|can\s+i\s+(?:get|have)|request|new|get|create|issue|ask\s+for)\s+(?:an?\s+)?)?(?:tap|temporary\s+access\s+pass)(?:\s+(?:for\s+)?(?<who>\S+))?\s*[.!?]?$",
                async (turn, match, ct) =>
                {
                    if (!turn.IsPersonalChat)
                    {
                        await turn.SendTextAsync(PersonalOnly, ct);
                        return;
                    }
                    var who = match.Groups["who"].Success ? match.Groups["who"].Value.Trim('.', ',', '!', '?', '<', '>') : null;
                    await turn.SendCardAsync(await service.FormAsync(turn.Caller!, who, ct), ct);
                })
            .OnVerb(TapVerbs.New, async (turn, _, ct) => turn.IsPersonalChat
                ? AdaptiveCardInvokeResponse.Card(await service.FormAsync(turn.Caller!, null, ct))
                : AdaptiveCardInvokeResponse.Message(PersonalOnly))
            .OnVerb(TapVerbs.Submit, (turn, action, ct) => turn.IsPersonalChat
                ? service.SubmitAsync(turn, action, ct)
                : Task.FromResult(AdaptiveCardInvokeResponse.Message(PersonalOnly)))
            .OnVerb(TapVerbs.Approve, (turn, action, ct) => service.DecideAsync(turn, action, approve: true, ct))
            .OnVerb(TapVerbs.Reject, (turn, action, ct) => service.DecideAsync(turn, action, approve: false, ct))
            .OnVerb(TapVerbs.Reveal, service.RevealAsync)
            .OnVerb(TapVerbs.Hide, service.HideAsync)
            .OnVerb(TapVerbs.Revoke, service.RevokeAsync)
            .OnVerb(TapVerbs.Cancel, service.CancelAsync)
            .OnVerb(TapVerbs.Mine, async (turn, _, ct) => AdaptiveCardInvokeResponse.Card(await service.MineAsync(turn.Caller!, ct)))
            .OnVerb(TapVerbs.Pending, async (turn, _, ct) =>
            {
                await PendingAsync(turn, null!, ct);
                return AdaptiveCardInvokeResponse.Message("I've posted what waits for you.");
            });
    }

    private async Task PendingAsync(TurnContext turn, System.Text.RegularExpressions.Match _, CancellationToken ct)
    {
        var (summary, decidable) = await service.PendingAsync(turn.Caller!, ct);
        await turn.SendCardAsync(summary, ct);
        if (!turn.IsPersonalChat) return;
        foreach (var record in decidable) await service.PostApprovalCardToAsync(record, turn.Caller!, ct);
    }

    public HelpSection? For(CallerRoles roles)
    {
        var commands = new List<(string, string)>();
        var actions = new List<System.Text.Json.Nodes.JsonObject>();
        if (roles.HasDirectReports || roles.IsRequester)
        {
            commands.Add(("tap", roles.IsRequester ? "Request a Temporary Access Pass for a new hire" : "Request a Temporary Access Pass for one of your reports"));
            commands.Add(("tap alex@contoso.com", "The same, for a named person"));
            commands.Add(("my requests", "Your requests and their passes"));
            actions.Add(Card.Execute("Request a pass", TapVerbs.New));
            actions.Add(Card.Execute("My requests", TapVerbs.Mine));
        }
        if (roles.IsTapApprover || roles.IsPrivilegedTapApprover)
        {
            commands.Add(("pending", "TAP requests waiting for your approval"));
            actions.Add(Card.Execute("Pending approvals", TapVerbs.Pending));
        }
        return commands.Count == 0 ? null : new HelpSection("Temporary Access Passes", commands, actions);
    }
}
