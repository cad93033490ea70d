using TeamsBot.Protocol;
using TeamsBot.Protocol.Routing;

namespace TeamsBot.Approvals;

/// <summary>The verbs every approval card shares (approve, reject, cancel), whatever the kind of record it shows.</summary>
public sealed class ApprovalFeature(ApprovalWorkflow workflow, IEnumerable<IApprovalKind> kinds) : IBotFeature
{
    private readonly Dictionary<string, IApprovalKind> _kinds = kinds.ToDictionary(k => k.Name, StringComparer.Ordinal);

    public void Map(BotRoutes routes) => routes
        .OnVerb(ApprovalVerbs.Approve, async (turn, action, ct) => Answer(await workflow.DecideAsync(Read(action), ClickOf(turn), approve: true, ct)))
        .OnVerb(ApprovalVerbs.Reject, async (turn, action, ct) => Answer(await workflow.DecideAsync(Read(action), ClickOf(turn), approve: false, ct)))
        .OnVerb(ApprovalVerbs.Cancel, async (turn, action, ct) => Answer(await workflow.CancelAsync(Read(action), ClickOf(turn), ct)));

    /// <summary>An answer as the invoke response: the record's card drawn by its kind, or a sentence.</summary>
    public AdaptiveCardInvokeResponse Answer(ClickAnswer answer) => answer switch
    {
        ClickAnswer.Show show when _kinds.TryGetValue(show.Record.Kind, out var kind) =>
            AdaptiveCardInvokeResponse.Card(kind.Render(show.Record, show.Audience, show.Notice)),
        ClickAnswer.Say say => AdaptiveCardInvokeResponse.Message(say.Text),
        _ => AdaptiveCardInvokeResponse.Message(ActivityProcessor.OutOfDateCard),
    };

    /// <summary>The typed data of an approval button (an empty one when the client sent something else).</summary>
    public static ApprovalAction Read(CardAction action) => action.Read(ApprovalActionJson.Default.ApprovalAction) ?? new ApprovalAction(null, null);

    /// <summary>Who clicked (from the authenticated activity) and on which card.</summary>
    public static Click ClickOf(TurnContext turn) => new(new Person(turn.Caller!.AadObjectId, turn.Caller.Name), turn.IsPersonalChat, turn.AnsweredCard);
}
