using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;

namespace TeamsBot.Directory;

/// <summary>Temporary Access Pass methods through Microsoft Graph. The pass value exists only in <see cref="IssuedPass"/>.</summary>
internal sealed class GraphTemporaryAccessPasses(GraphClientProvider graph, TimeProvider time) : ITemporaryAccessPasses
{
    public Task<IssuedPass> CreateAsync(string userId, TapIssueOptions options, CancellationToken ct = default) =>
        GraphFailures.RunAsync(async () =>
        {
            var created = await graph.Client.Users[userId].Authentication.TemporaryAccessPassMethods.PostAsync(
                new TemporaryAccessPassAuthenticationMethod
                {
                    StartDateTime = options.StartDateTime,
                    LifetimeInMinutes = options.LifetimeInMinutes,
                    IsUsableOnce = options.IsUsableOnce,
                }, cancellationToken: ct).ConfigureAwait(false);
            if (created?.TemporaryAccessPass is not { Length: > 0 } pass || created.Id is null)
            {
                throw new DirectoryException(DirectoryErrorKind.Unknown, "Microsoft Graph created the Temporary Access Pass but returned no pass.");
            }
            var createdAt = created.CreatedDateTime ?? time.GetUtcNow();
            return new IssuedPass(created.Id, pass, createdAt, created.StartDateTime ?? options.StartDateTime ?? createdAt,
                created.LifetimeInMinutes ?? options.LifetimeInMinutes, created.IsUsableOnce ?? options.IsUsableOnce);
        }, "create the Temporary Access Pass", ct, RefusalOf);

    public Task<IReadOnlyList<TapMethod>> ListAsync(string userId, CancellationToken ct = default) =>
        GraphFailures.RunAsync<IReadOnlyList<TapMethod>>(async () =>
        {
            var page = await graph.Client.Users[userId].Authentication.TemporaryAccessPassMethods.GetAsync(cancellationToken: ct).ConfigureAwait(false);
            return (page?.Value ?? []).Select(DirectoryMapping.ToTapMethod).ToList();
        }, "read the user's Temporary Access Passes", ct);

    public Task<bool> DeleteAsync(string userId, string methodId, CancellationToken ct = default) =>
        GraphFailures.RunAsync(async () =>
        {
            try
            {
                await graph.Client.Users[userId].Authentication.TemporaryAccessPassMethods[methodId].DeleteAsync(cancellationToken: ct).ConfigureAwait(false);
                return true;
            }
            catch (ODataError e) when (e.ResponseStatusCode == 404)
            {
                return false;
            }
        }, "delete the Temporary Access Pass", ct);

    /// <summary>
    /// Entra's refusals carry no distinct code (graph-entra.md §1 and §8), so the known texts are recognised to say
    /// what the policy or the user's kind forbids.
    /// </summary>
    private static DirectoryException? RefusalOf(ODataError error)
    {
        var status = error.ResponseStatusCode;
        var message = error.Error?.Message ?? "";
        if (status is not (400 or 403))
        {
            return null;
        }
        string? readable = null;
        var kind = DirectoryErrorKind.Refused;
        if (message.Contains("Converged UserCredentialPolicy", StringComparison.OrdinalIgnoreCase))
        {
            readable = "The TAP policy does not allow a Temporary Access Pass for this user: the policy is off, or the user is outside its targets.";
        }
        else if (message.Contains("external guest", StringComparison.OrdinalIgnoreCase))
        {
            readable = "A Temporary Access Pass cannot be added to an external guest user.";
        }
        else if (message.Contains("isUsableOnce", StringComparison.OrdinalIgnoreCase) || message.Contains("one-time", StringComparison.OrdinalIgnoreCase))
        {
            readable = "The TAP policy only allows one-time passes.";
        }
        else if (message.Contains("LifetimeInMinutes", StringComparison.OrdinalIgnoreCase))
        {
            kind = DirectoryErrorKind.BadRequest;
            readable = $"The lifetime is outside what the TAP policy allows ({message.Trim().TrimEnd('.')}).";
        }
        return readable is null ? null : new DirectoryException(kind, readable, error.Error?.Code, error.Error?.InnerError?.RequestId, status, error);
    }
}
