using TeamsBot.Access;
using TeamsBot.Approvals;
using TeamsBot.Cards;
using TeamsBot.Help;
using TeamsBot.Protocol;
using TeamsBot.Protocol.Routing;

namespace TeamsBot.Tap;

/// <summary>The TAP commands and card verbs: who is acting comes from the turn, what they act on from the card's typed data.</summary>
public sealed class TapFeature(TapRequests requests, TapCards cards, TapBatches batches, TapBatchCards batchCards) : IBotFeature, IHelpContributor
{
    private const string PersonalOnly = "Ask me for a Temporary Access Pass in our 1:1 chat: the pass is only ever shown there.";

    public void Map(BotRoutes routes)
    {
        routes
            .OnCommand(@"^my\s+(?:tap\s+)?requests?$", async (turn, _, ct) => await turn.SendCardAsync(await MineAsync(turn, ct), ct))
            .OnCommand(@"^(?:pending|approvals|pending\s+approvals|pending\s+requests)$", (turn, _, ct) => PendingAsync(turn, ct))
            .OnCommand(@"^(?:(?:please\s+)?(?:i\s+need|can\s+i\s+(?:get|have)|request|new|get|create|issue|ask\s+for)\s+(?:an?\s+)?)?(?:tap|temporary\s+access\s+pass)(?:\s+(?:for\s+)?(?<who>\S+))?\s*[.!?]?$",
                async (turn, match, ct) =>
                {
                    if (!turn.IsPersonalChat)
                    {
                        await turn.SendTextAsync(PersonalOnly, ct);
                        return;
                    }
                    var who = match.Groups["who"].Success ? match.Groups["who"].Value.Trim('.', ',', '!', '?', '<', '>') : null;
                    var form = await requests.FormAsync(turn.Caller!.AadObjectId, who, ct);
                    // Someone named who is not among the requester's reports is checked at once: if they can't get a pass
                    // the requester is told so, with nothing to fill in.
                    if (who is not null && form.Values.ChosenReport is null && await requests.WhyNotAsync(turn.Caller.AadObjectId, who, ct) is { Count: > 0 } why)
                    {
                        await turn.SendCardAsync(cards.NoPass(who, why), ct);
                        return;
                    }
                    await turn.SendCardAsync(cards.Form(form), ct);
                })
            // Several sign-in names after "tap": one form for all of them (an onboarding batch).
            .OnCommand(@"^(?:(?:please\s+)?(?:i\s+need|can\s+i\s+(?:get|have)|request|new|get|create|issue|ask\s+for)\s+)?(?:taps?|temporary\s+access\s+pass(?:es)?)\s+(?:for\s+)?(?<who>\S+(?:[\s,;]+(?:and\s+)?\S+)+)\s*$",
                async (turn, match, ct) =>
                {
                    if (!turn.IsPersonalChat)
                    {
                        await turn.SendTextAsync(PersonalOnly, ct);
                        return;
                    }
                    var who = TapBatches.Split(match.Groups["who"].Value);
                    var names = who.Where(TapRequests.LooksLikeUserId).ToList();
                    if (names.Count == 0)
                        await turn.SendTextAsync("Type **tap** followed by the new hires' sign-in names (like aiko@contoso.com), or **onboard** to pick from your reports.", ct);
                    else if (names.Count == 1 && who.Count == 1)
                        await turn.SendCardAsync(cards.Form(await requests.FormAsync(turn.Caller!.AadObjectId, names[0], ct)), ct);
                    else
                        await turn.SendCardAsync(batchCards.Form(await batches.FormAsync(turn.Caller!.AadObjectId, names, ct, notNames: [.. who.Except(names)])), ct);
                })
            .OnCommand(@"^(?:onboard(?:ing)?|tap\s+batch|batch|several\s+taps|taps)$", async (turn, _, ct) =>
            {
                if (!turn.IsPersonalChat)
                {
                    await turn.SendTextAsync(PersonalOnly, ct);
                    return;
                }
                await turn.SendCardAsync(batchCards.Pick(await batches.PickAsync(turn.Caller!.AadObjectId, ct)), ct);
            })
            .OnVerb(TapBatchVerbs.Pick, async (turn, action, ct) =>
            {
                if (!turn.IsPersonalChat) return AdaptiveCardInvokeResponse.Message(PersonalOnly);
                var data = action.Read(TapBatchJson.Default.TapBatchPickData);
                if (data is null) return AdaptiveCardInvokeResponse.Message(ActivityProcessor.OutOfDateCard);
                return await batches.PickedAsync(turn.Caller!.AadObjectId, data, ct) switch
                {
                    PickedResult.Form form => AdaptiveCardInvokeResponse.Card(batchCards.Form(form.Batch)),
                    PickedResult.PickAgain again => AdaptiveCardInvokeResponse.Card(batchCards.Pick(again.Pick)),
                    _ => AdaptiveCardInvokeResponse.Message(ActivityProcessor.OutOfDateCard),
                };
            })
            .OnVerb(TapBatchVerbs.Submit, SubmitBatchAsync)
            .OnVerb(TapVerbs.New, async (turn, _, ct) => turn.IsPersonalChat
                ? AdaptiveCardInvokeResponse.Card(cards.Form(await requests.FormAsync(turn.Caller!.AadObjectId, null, ct)))
                : AdaptiveCardInvokeResponse.Message(PersonalOnly))
            .OnVerb(TapVerbs.Submit, SubmitAsync)
            .OnVerb(TapVerbs.Reveal, async (turn, action, ct) => Answer(await requests.RevealAsync(Data(action), Click(turn), ct)))
            .OnVerb(TapVerbs.Hide, async (turn, action, ct) => Answer(await requests.HideAsync(Data(action), Click(turn), ct)))
            .OnVerb(TapVerbs.Revoke, async (turn, action, ct) => Answer(await requests.RevokeAsync(Data(action), Click(turn), ct)))
            .OnVerb(TapVerbs.Renew, async (turn, action, ct) =>
            {
                if (!turn.IsPersonalChat) return AdaptiveCardInvokeResponse.Message(PersonalOnly);
                return await requests.RenewFormAsync(Data(action), Click(turn), ct) is { } form
                    ? AdaptiveCardInvokeResponse.Card(cards.Form(form))
                    : AdaptiveCardInvokeResponse.Message("Only the person who asked for that pass can ask again from this card. Type **tap** to start a request.");
            })
            .OnVerb(TapVerbs.Mine, async (turn, _, ct) => AdaptiveCardInvokeResponse.Card(await MineAsync(turn, ct)))
            .OnVerb(TapVerbs.Pending, async (turn, _, ct) =>
            {
                await PendingAsync(turn, ct);
                return AdaptiveCardInvokeResponse.Message("I've posted what waits for you.");
            });
    }

    private async Task<AdaptiveCardInvokeResponse> SubmitAsync(TurnContext turn, CardAction action, CancellationToken ct)
    {
        if (!turn.IsPersonalChat) return AdaptiveCardInvokeResponse.Message(PersonalOnly);
        var data = action.Read(TapDataJson.Default.TapFormData);
        if (data is null) return AdaptiveCardInvokeResponse.Message(ActivityProcessor.OutOfDateCard);
        var result = await requests.SubmitAsync(Click(turn).By, data, turn.Reader.ZoneId, turn.AnsweredCard, ct);
        return result switch
        {
            SubmitResult.Filed filed => AdaptiveCardInvokeResponse.Card(cards.Requester(filed.Record, filed.Notice)),
            SubmitResult.Problems problems => AdaptiveCardInvokeResponse.Card(cards.Form(problems.Form)),
            _ => AdaptiveCardInvokeResponse.Message("Your request is being filed; this card shows it in a moment. Type **my requests** to see it."),
        };
    }

    private async Task<AdaptiveCardInvokeResponse> SubmitBatchAsync(TurnContext turn, CardAction action, CancellationToken ct)
    {
        if (!turn.IsPersonalChat) return AdaptiveCardInvokeResponse.Message(PersonalOnly);
        var data = action.Read(TapBatchJson.Default.TapBatchFormData);
        if (data is null) return AdaptiveCardInvokeResponse.Message(ActivityProcessor.OutOfDateCard);
        var result = await batches.SubmitAsync(Click(turn).By, data, turn.Reader.ZoneId, turn.AnsweredCard, ct);
        return result switch
        {
            BatchSubmitResult.Filed filed => AdaptiveCardInvokeResponse.Card(batchCards.Render(filed.Record, Audiences.Requester, filed.Notice)),
            BatchSubmitResult.Problems problems => AdaptiveCardInvokeResponse.Card(batchCards.Form(problems.Form)),
            _ => AdaptiveCardInvokeResponse.Message("Your request is being filed; this card shows it in a moment."),
        };
    }

    private async Task<JsonObject> MineAsync(TurnContext turn, CancellationToken ct) =>
        cards.List("Your TAP requests", await requests.MineAsync(turn.Caller!.AadObjectId, ct),
            "You haven't asked for any passes yet. Type **tap** to start.", forApprover: false);

    private async Task PendingAsync(TurnContext turn, CancellationToken ct)
    {
        var pending = await requests.PendingAsync(turn.Caller!.AadObjectId, ct);
        await turn.SendCardAsync(cards.List("Pending TAP approvals", pending.Decidable,
            pending.IsApprover ? "Nothing waits for your approval." : "You're not a TAP approver.", forApprover: true), ct);
        if (!turn.IsPersonalChat) return;
        foreach (var record in pending.Decidable) await requests.PostApprovalCardToAsync(record, turn.Caller!.AadObjectId, ct);
        if (!pending.IsApprover) return;
        foreach (var batch in await batches.PendingAsync(turn.Caller!.AadObjectId, ct)) await batches.PostApprovalCardToAsync(batch, turn.Caller!.AadObjectId, ct);
    }

    private AdaptiveCardInvokeResponse Answer(ClickAnswer answer) => answer switch
    {
        PassShown shown => AdaptiveCardInvokeResponse.Card(cards.Revealed(shown.Record, shown.Pass)),
        ClickAnswer.Show show => AdaptiveCardInvokeResponse.Card(cards.Render(show.Record, show.Audience, show.Notice)),
        ClickAnswer.Say say => AdaptiveCardInvokeResponse.Message(say.Text),
        _ => AdaptiveCardInvokeResponse.Message(ActivityProcessor.OutOfDateCard),
    };

    private static ApprovalAction Data(CardAction action) => ApprovalFeature.Read(action);

    private static Click Click(TurnContext turn) => ApprovalFeature.ClickOf(turn);

    public HelpSection? For(CallerRoles roles)
    {
        var commands = new List<(string, string)>();
        var actions = new List<JsonObject>();
        if (roles.HasDirectReports || roles.Has(TapRoles.Requester))
        {
            commands.Add(("tap", roles.Has(TapRoles.Requester) ? "Request a Temporary Access Pass for a new hire" : "Request a Temporary Access Pass for one of your reports"));
            commands.Add(("tap alex@contoso.com", "The same, for a named person"));
            commands.Add(("onboard", "Passes for several new hires at once (or: tap aiko@contoso.com bruno@contoso.com)"));
            commands.Add(("my requests", "Your requests and their passes"));
            actions.Add(Card.Execute("Request a pass", TapVerbs.New));
            actions.Add(Card.Execute("My requests", TapVerbs.Mine));
        }
        if (roles.Has(TapRoles.Approver) || roles.Has(TapRoles.PrivilegedApprover))
        {
            commands.Add(("pending", "TAP requests waiting for your approval"));
            actions.Add(Card.Execute("Pending approvals", TapVerbs.Pending));
        }
        return commands.Count == 0 ? null : new HelpSection("Temporary Access Passes", commands, actions);
    }
}
