using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;

namespace TeamsBot.Directory;

/// <summary>
/// Turns whatever the Graph SDK throws (ODataError, the retry handler's AggregateException, other ApiExceptions,
/// HttpRequestException, timeouts) into a <see cref="DirectoryException"/> whose message can be shown to people.
/// Messages never carry request bodies, pass values or tokens.
/// </summary>
internal static class GraphFailures
{
    private const int MaxGraphMessageLength = 300;

    /// <summary>Runs a Graph call; <paramref name="action"/> completes "Could not ..." (e.g. "read the user").</summary>
    public static async Task<T> RunAsync<T>(Func<Task<T>> call, string action, CancellationToken ct,
        Func<ODataError, DirectoryException?>? special = null)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(e, action, ct, special) is { } translated)
        {
            throw translated;
        }
    }

    public static Task RunAsync(Func<Task> call, string action, CancellationToken ct, Func<ODataError, DirectoryException?>? special = null) =>
        RunAsync(async () =>
        {
            await call().ConfigureAwait(false);
            return true;
        }, action, ct, special);

    /// <summary>The translated failure, or null for a cancellation the caller asked for.</summary>
    public static DirectoryException? Translate(Exception e, string action, CancellationToken ct,
        Func<ODataError, DirectoryException?>? special = null)
    {
        switch (e)
        {
            case DirectoryException:
                return (DirectoryException)e;
            case OperationCanceledException when ct.IsCancellationRequested:
                return null;
            case ODataError error:
                return special?.Invoke(error) ?? FromStatus(error.ResponseStatusCode, error.Error?.Code, error.Error?.Message,
                    error.Error?.InnerError?.RequestId, action, e);
            case AggregateException aggregate when aggregate.InnerExceptions.LastOrDefault() is ApiException last:
                // The retry handler gave up: its inner exceptions are the failed attempts.
                return FromStatus(last.ResponseStatusCode, null, null, RequestId(last), action, e);
            case ApiException api:
                return FromStatus(api.ResponseStatusCode, null, null, RequestId(api), action, e);
            case HttpRequestException:
                return new DirectoryException(DirectoryErrorKind.Unavailable,
                    $"Could not {action}: Microsoft Graph could not be reached. Try again shortly.", inner: e);
            case OperationCanceledException:
                return new DirectoryException(DirectoryErrorKind.Unavailable,
                    $"Could not {action}: Microsoft Graph did not answer in time. Try again shortly.", inner: e);
            default:
                return null;
        }
    }

    public static DirectoryException FromStatus(int status, string? code, string? graphMessage, string? requestId, string action, Exception? inner)
    {
        var (kind, message) = status switch
        {
            400 => (DirectoryErrorKind.BadRequest, $"Microsoft Graph refused to {action}: {Shorten(graphMessage) ?? "the request was not valid"}."),
            401 => (DirectoryErrorKind.Forbidden, $"Could not {action}: Microsoft Graph did not accept the bot's credentials."),
            403 => (DirectoryErrorKind.Forbidden,
                $"Could not {action}: the bot is not allowed to{(code is null ? "" : $" ({code})")}. Check its Graph application permissions and directory roles."),
            404 => (DirectoryErrorKind.NotFound, $"Could not {action}: it does not exist."),
            409 or 412 => (DirectoryErrorKind.Conflict, $"Could not {action}: it was changed by someone else at the same time."),
            429 => (DirectoryErrorKind.Throttled, $"Could not {action}: Microsoft Graph is throttling requests; try again in a minute."),
            >= 500 and < 600 => (DirectoryErrorKind.Unavailable, $"Could not {action}: Microsoft Graph is unavailable right now; try again in a few minutes."),
            _ => (DirectoryErrorKind.Unknown, $"Could not {action}: Microsoft Graph answered {status}{(code is null ? "" : $" ({code})")}."),
        };
        return new DirectoryException(kind, message, code, requestId, status, inner);
    }

    private static string? RequestId(ApiException e) =>
        e.ResponseHeaders.TryGetValue("request-id", out var values) ? values.FirstOrDefault() : null;

    private static string? Shorten(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        text = text.Trim().TrimEnd('.');
        return text.Length <= MaxGraphMessageLength ? text : text[..MaxGraphMessageLength] + "…";
    }
}
