using OpenTelemetry.Trace;
using TeamsBot.Protocol.Routing;

namespace TeamsBot.Host.Hosting;

public static class Observability
{
    /// <summary>
    /// JSON logs outside Development, and a trace per turn exported over OTLP when an endpoint is set. Without an
    /// endpoint no tracer is registered: spans nobody exports would cost every turn (ASP.NET Core and HttpClient
    /// instrumentation, tags, propagation headers) for nothing.
    /// </summary>
    public static WebApplicationBuilder AddObservability(this WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        if (builder.Environment.IsDevelopment())
            builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        else
            builder.Logging.AddJsonConsole(o => o.UseUtcTimestamp = true);

        if (!string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            builder.Services.AddOpenTelemetry().WithTracing(t => t
                .AddSource(ActivityProcessor.Telemetry.Name)
                .AddAspNetCoreInstrumentation(o => o.Filter = http => http.Request.Path.StartsWithSegments("/api"))
                .AddHttpClientInstrumentation()
                .AddOtlpExporter());
        return builder;
    }
}
