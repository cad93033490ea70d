using System.Text.Json.Nodes;
using TeamsBot.Approvals;
using TeamsBot.Tap;
using TeamsBot.Tests.Infrastructure;

namespace TeamsBot.Tests.Tap;

/// <summary>
/// The requests an onboarding batch files, one per hire, are read out by the batch's reference and the hire's number:
/// the batch card's "its request" lines and each hire's own card then name the batch people know, and two batches
/// never share a request's reference.
/// </summary>
public sealed class TapBatchReferenceTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private const string BatchId = "0638999999999999999-a1710d53";

    private static ApprovalRecord Record(string id, string kind, JsonObject subject) =>
        new(id, kind, ApprovalState.Completed, 4, new Person("h1", "Henrietta Mueller"), Now, Now.AddDays(1), Now, subject,
            new ApprovalDecision(new Person("a1", "Adele Vance"), Now.AddMinutes(5), true, null));

    private static TapRequest Request(string id, string upn, string name) =>
        new(id, upn, name, "Sales", null, Now.AddDays(3), [], Now.AddDays(3), 60, true, "Onboarding week", "g1", false);

    [Fact]
    public void A_request_of_an_onboarding_batch_reads_as_the_batch_reference_and_its_number()
    {
        var batch = Record(BatchId, TapBatch.Kind, new JsonObject());
        Assert.Equal("R-710D53", batch.Reference);
        var part = Record(TapBatch.PartId(BatchId, 2), TapRequest.Kind, new JsonObject());
        Assert.Equal("R-710D53-02", part.Reference);
        Assert.Equal(part.Reference, TapBatch.PartReference(BatchId, 2));

        // Another batch whose id ends alike: its requests read differently.
        const string other = "0638999999999999999-ffffdd53";
        Assert.NotEqual(TapBatch.PartReference(other, 2), TapBatch.PartReference(BatchId, 2));
        // Requests filed on their own keep the short reference.
        Assert.Equal("R-ABCDEF", Record("0639000000000000000-12abcdef", TapRequest.Kind, new JsonObject()).Reference);
    }

    [Fact]
    public void The_completed_batch_card_names_each_hires_request_by_the_batch_reference()
    {
        var batch = new TapBatch(
        [
            new TapBatchHire("u21", "Aiko Tanaka", Request("u21", "aiko.tanaka@contoso.com", "Aiko Tanaka"), []),
            new TapBatchHire("diego.siciliani@contoso.com", "Diego Siciliani", null, ["Entra ID doesn't list you as Diego Siciliani's manager."]),
            new TapBatchHire("u22", "Bruno Costa", Request("u22", "bruno.costa@contoso.com", "Bruno Costa"), []),
        ], 60, true, "Onboarding week", "g1");
        var text = CardReader.AllText(new TapBatchCards().Render(Record(BatchId, TapBatch.Kind, batch.ToJson()), Audiences.Requester));

        Assert.Contains("Reference: R-710D53", text, StringComparison.Ordinal);
        Assert.Contains("its request: R-710D53-00", text, StringComparison.Ordinal);
        Assert.Contains("its request: R-710D53-02", text, StringComparison.Ordinal);
        Assert.DoesNotContain("R-D53-", text, StringComparison.Ordinal);
    }
}
