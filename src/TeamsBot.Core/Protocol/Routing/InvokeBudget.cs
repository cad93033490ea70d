using TeamsBot.Errors;
using TeamsBot.Work;

namespace TeamsBot.Protocol.Routing;

/// <summary>
/// Answers a card click within a few seconds whatever the work behind it costs. The Bot Connector gives an invoke about
/// 15 s before it shows the user an error, and Adaptive Card clients have been seen giving up after about 5 s
/// (spec/bot-protocol.md, "Time limits"). Work that is not done within <see cref="Budget"/> goes on in the background;
/// the click is answered with a card that says so, and the clicked card is updated (PUT) when the work is done.
/// </summary>
public sealed class InvokeBudget(BackgroundWork work, ILogger<InvokeBudget> logger)
{
    /// <summary>How long a click waits for its answer before it is told the work goes on.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(3);

    /// <param name="turn">The click.</param>
    /// <param name="render">Draws the answer; runs to its end even when the click was answered before.</param>
    /// <param name="inProgress">The card shown meanwhile (it says what is being done).</param>
    /// <param name="failed">The card for a failure, from the sentence to show.</param>
    public async Task<AdaptiveCardInvokeResponse> AnswerAsync(TurnContext turn, Func<CancellationToken, Task<JsonObject>> render,
        JsonObject inProgress, Func<string, JsonObject> failed)
    {
        // Not the request's token: the work outlives the answer when it is slow.
        var running = render(CancellationToken.None);
        if (await Task.WhenAny(running, Task.Delay(Budget)) == running) return AdaptiveCardInvokeResponse.Card(await running);

        var card = turn.AnsweredCard;
        work.Enqueue("invoke.finish", async ct =>
        {
            JsonObject done;
            try
            {
                done = await running;
            }
            catch (UserFacingException ex)
            {
                logger.LogWarning("A slow answer failed: {Problem} [{CorrelationId}]", ex.LogText, turn.CorrelationId);
                done = failed($"{ex.Message} (ref {turn.CorrelationId})");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "A slow answer failed [{CorrelationId}]", turn.CorrelationId);
                done = failed($"Something went wrong on my side. Please try again; if it keeps happening, give your admin this reference: {turn.CorrelationId}.");
            }
            if (card is not null) await turn.UpdateCardAsync(card.ActivityId, done, ct);
        });
        return AdaptiveCardInvokeResponse.Card(inProgress);
    }
}
