using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using TeamsBot.DevTenant.Audits;
using TeamsBot.DevTenant.AuthMethods;
using TeamsBot.DevTenant.ConditionalAccess;
using TeamsBot.DevTenant.Dev;
using TeamsBot.DevTenant.Http;
using TeamsBot.DevTenant.Roles;
using TeamsBot.DevTenant.Teams;
using TeamsBot.DevTenant.SignIns;
using TeamsBot.DevTenant.Tenant;
using TeamsBot.DevTenant.Users;

namespace TeamsBot.DevTenant;

/// <summary>
/// The simulated Graph service without a host: its state, faults, request log and HTTP handler. <see cref="SimulatedTenant"/>
/// runs it on its own loopback port; <see cref="SimulatedGraphEndpoints.MapSimulatedGraph"/> maps it into another app.
/// </summary>
public sealed class SimulatedGraph
{
    private const string ContentType = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";
    private readonly GraphPipeline pipeline;
    private readonly GraphPipeline betaPipeline;

    public SimulatedGraph(SimulatedTenantOptions? options = null)
    {
        options ??= new SimulatedTenantOptions();
        State = new TenantState(options);
        Faults = new FaultInjector(options.FaultSeed);
        RequestLog = new RequestLog();
        var router = new GraphRouter();
        new UserEndpoints(State).Map(router);
        new TapEndpoints(State).Map(router);
        new MethodEndpoints(State).Map(router);
        new PolicyEndpoints(State).Map(router);
        new NamedLocationEndpoints(State).Map(router);
        new WhatIfEndpoint(State).Map(router);
        new AuthenticationStrengthEndpoints(State).Map(router);
        new SignInEndpoints(State).Map(router);
        new DirectoryAuditEndpoints(State).Map(router);
        new RoleManagementEndpoints(State).Map(router);
        new TeamsAppEndpoints(State).Map(router);
        pipeline = new GraphPipeline(router, Faults, RequestLog, options.TimeProvider, options.ThrottleConditionalAccess);
        new BatchEndpoint(() => pipeline).Map(router);

        // The few beta-only calls the bot may make, on their own route table so v1.0 refuses them as Graph does.
        var beta = new GraphRouter();
        new TransitiveRoleAssignmentsEndpoint(State).Map(beta);
        betaPipeline = new GraphPipeline(beta, Faults, RequestLog, options.TimeProvider, options.ThrottleConditionalAccess, "/beta");
        new BatchEndpoint(() => betaPipeline).Map(beta);
    }

    public TenantState State { get; }

    public FaultInjector Faults { get; }

    public RequestLog RequestLog { get; }

    /// <summary>Serves one request under /v1.0.</summary>
    internal Task HandleAsync(HttpContext context) => HandleAsync(context, "v1.0", pipeline);

    /// <summary>Serves one request under /beta (only the beta-only calls listed in the README).</summary>
    internal Task HandleBetaAsync(HttpContext context) => HandleAsync(context, "beta", betaPipeline);

    private static async Task HandleAsync(HttpContext context, string version, GraphPipeline pipeline)
    {
        var http = context.Request;
        var path = http.Path.Value ?? "/";
        var root = "/" + version;
        path = path.Length > root.Length ? path[root.Length..] : "/";
        var (_, queryText, query) = GraphRequest.SplitRelativeUrl("/" + http.QueryString.Value);
        var headers = http.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        string? body = null;
        if (http.ContentLength is > 0 || http.Headers.TransferEncoding.Count > 0)
        {
            using var reader = new StreamReader(http.Body, Encoding.UTF8);
            body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        }
        var request = new GraphRequest
        {
            Method = http.Method.ToUpperInvariant(),
            Path = path,
            QueryText = queryText,
            Query = query,
            Headers = headers,
            BodyText = body,
            ServiceRoot = $"{http.Scheme}://{http.Host}{http.PathBase}{root}",
            Version = version,
        };

        var response = HasBearerToken(http)
            ? await pipeline.SendAsync(request, null, context.RequestAborted).ConfigureAwait(false)
            : pipeline.Reject(request, GraphResponse.Error(401, "InvalidAuthenticationToken", "Access token is empty."));

        context.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers)
        {
            context.Response.Headers[name] = value;
        }
        if (response.Body is JsonNode json)
        {
            context.Response.ContentType = ContentType;
            await context.Response.WriteAsync(json.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>Graph refuses calls without a token; any non-empty bearer token is accepted here.</summary>
    private static bool HasBearerToken(HttpRequest http)
    {
        var header = http.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header["Bearer ".Length..].Trim().Length > 0;
    }
}
