using System.Text.Json.Nodes;
using TeamsBot.Approvals;
using TeamsBot.Tests.Infrastructure;

namespace TeamsBot.Tests.Reliability;

/// <summary>
/// People at work while the tenant and Teams misbehave: when the bot says something went wrong they try again, a few
/// times. Every error they were shown is counted: the bot may fail a step, never silently.
/// </summary>
public sealed class Patience(BotWorld world, int tries = 10)
{
    private int _errorsShown;

    /// <summary>Error messages people were shown (and then tried again).</summary>
    public int ErrorsShown => Volatile.Read(ref _errorsShown);

    public BotWorld World => world;

    public void CountError() => Interlocked.Increment(ref _errorsShown);

    /// <summary>Clicks until the bot answers with a card that <paramref name="done"/> accepts; a message answer is an error shown.</summary>
    public async Task<JsonObject> ClickAsync(Persona who, string verb, JsonObject data, string replyToId, Func<JsonObject, bool> done,
        string? conversationId = null)
    {
        var answers = new List<string>();
        for (var attempt = 0; attempt < tries; attempt++)
        {
            var body = await world.ClickAsync(who, verb, data.DeepClone().AsObject(), replyToId, conversationId);
            if (body["type"]?.GetValue<string>() == "application/vnd.microsoft.card.adaptive" && done(CardReader.CardOf(body)))
                return CardReader.CardOf(body);
            if (body["type"]?.GetValue<string>() != "application/vnd.microsoft.activity.message")
                throw new InvalidOperationException($"{who.Name} clicked {verb} and got an unexpected answer: {body.ToJsonString()[..Math.Min(600, body.ToJsonString().Length)]}");
            answers.Add(CardReader.MessageOf(body));
            Interlocked.Increment(ref _errorsShown);
        }
        throw new GaveUpException($"{who.Name} gave up on {verb} after {tries} tries: {string.Join(" | ", answers)}");
    }

    /// <summary>
    /// Says <paramref name="text"/> until the bot's next activity in the chat is a card that <paramref name="done"/> accepts; a
    /// text reply instead is an error shown.
    /// </summary>
    public async Task<(ConnectorCall Call, JsonObject Card)> SayAsync(Persona who, string text, Func<JsonObject, bool> done) =>
        await TrySayAsync(who, text, done) ?? throw new GaveUpException($"{who.Name} gave up on '{text}' after {tries} tries.");

    /// <summary>As <see cref="SayAsync"/>, but null when every try was answered with an error (each of them shown).</summary>
    public async Task<(ConnectorCall Call, JsonObject Card)?> TrySayAsync(Persona who, string text, Func<JsonObject, bool> done)
    {
        for (var attempt = 0; attempt < tries; attempt++)
        {
            var mark = world.Connector.Calls.Count;
            await world.SayAsync(who, text);
            var reply = await NextAsync(who, mark);
            var card = (reply.Body?["attachments"] as JsonArray)?.OfType<JsonObject>().Select(a => a["content"] as JsonObject).FirstOrDefault(c => c is not null);
            if (card is not null && done(card)) return (reply, card);
            Interlocked.Increment(ref _errorsShown); // an error text, or a card saying why not (a refusal)
        }
        return null;
    }

    /// <summary>The first activity delivered to <paramref name="who"/>'s chat after the first <paramref name="mark"/> connector calls.</summary>
    public async Task<ConnectorCall> NextAsync(Persona who, int mark)
    {
        var deadline = Environment.TickCount64 + Waits.SafetyNetMs;
        while (true)
        {
            var calls = world.Connector.Calls;
            for (var i = mark; i < calls.Count; i++)
                if (calls[i].Method == "POST" && calls[i].ActivityId is not null && IsTo(calls[i], who)) return calls[i];
            if (Environment.TickCount64 > deadline) throw new TimeoutException($"Nothing reached {who.Name}'s chat.");
            await Task.Delay(20);
        }
    }

    /// <summary>Waits for a record to reach one of the states, for up to <paramref name="timeoutMs"/>.</summary>
    public async Task<ApprovalRecord> UntilAsync(string id, Func<ApprovalRecord, bool> reached, int timeoutMs = Waits.SafetyNetMs)
    {
        var engine = world.Service<ApprovalEngine>();
        var deadline = Environment.TickCount64 + timeoutMs;
        while (true)
        {
            var record = await engine.GetAsync(id, default) ?? throw new InvalidOperationException($"Record {id} is gone.");
            if (reached(record)) return record;
            if (Environment.TickCount64 > deadline)
                throw new TimeoutException($"Record {id} stayed {record.State}: {record.Outcome}");
            await Task.Delay(20);
        }
    }

    /// <summary>The newest card sent to or updated in <paramref name="who"/>'s chat that mentions <paramref name="marker"/>.</summary>
    public async Task<(ConnectorCall Call, JsonObject Card)> CardAsync(Persona who, string marker, Func<JsonObject, bool> accept, int timeoutMs = Waits.SafetyNetMs)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (true)
        {
            var found = world.CardsFor(who).LastOrDefault(c => c.Card.ToJsonString().Contains(marker, StringComparison.Ordinal) && accept(c.Card));
            if (found.Card is not null) return found;
            if (Environment.TickCount64 > deadline) throw new TimeoutException($"No card about {marker} reached {who.Name}.");
            await Task.Delay(20);
        }
    }

    /// <summary>Whether a text containing all of <paramref name="parts"/> reached <paramref name="who"/>'s chat.</summary>
    public bool WasTold(Persona who, params string[] parts) => world.Connector.Calls.Any(c => IsTo(c, who)
        && c.Body?["text"]?.GetValue<string>() is { } text && parts.All(p => text.Contains(p, StringComparison.Ordinal)));

    public async Task<bool> ToldAsync(Persona who, int timeoutMs, params string[] parts)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!WasTold(who, parts))
        {
            if (Environment.TickCount64 > deadline) return false;
            await Task.Delay(20);
        }
        return true;
    }

    public static bool IsTo(ConnectorCall call, Persona who) => call.Path.Contains(Uri.EscapeDataString(who.ConversationId), StringComparison.Ordinal);

    public static bool Says(JsonObject card, string text) => CardReader.AllText(card).Contains(text, StringComparison.Ordinal);
}

/// <summary>Someone tried as often as a patient person would, and was told each time that it failed.</summary>
public sealed class GaveUpException(string message) : Exception(message);
