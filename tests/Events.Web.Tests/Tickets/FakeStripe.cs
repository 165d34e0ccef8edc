using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Events.Web.Tests.Tickets;

public sealed record StripeCall(string Path, string? IdempotencyKey, IReadOnlyDictionary<string, string> Form);

// Stripe's API as far as Stripe.net calls it for us, on a real Kestrel on loopback: it answers
// with Stripe-shaped JSON and records every request (path, idempotency key, form fields). Like
// Stripe, a repeated idempotency key gets the first answer again.
public sealed class FakeStripe : IAsyncDisposable
{
    public const string SecretKey = "sk_test_fake";
    public const string WebhookSecret = "whsec_test_fake";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, string> _answers = new();
    private int _next;

    private FakeStripe(WebApplication app) => _app = app;

    public ConcurrentQueue<StripeCall> Calls { get; } = new();

    public string BaseUrl => _app.Urls.First();

    public static async Task<FakeStripe> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var stripe = new FakeStripe(app);
        app.MapPost("/v1/checkout/sessions", (HttpRequest r) => stripe.AnswerAsync(r, form =>
        {
            var id = $"cs_test_{stripe.NextId()}";
            return new
            {
                id,
                @object = "checkout.session",
                url = $"https://checkout.stripe.test/c/pay/{id}",
                mode = "payment",
                status = "open",
                payment_status = "unpaid",
                client_reference_id = form.GetValueOrDefault("client_reference_id"),
                customer_email = form.GetValueOrDefault("customer_email"),
                currency = form.GetValueOrDefault("line_items[0][price_data][currency]"),
                amount_total = long.Parse(form.GetValueOrDefault("line_items[0][price_data][unit_amount]", "0"), CultureInfo.InvariantCulture),
                expires_at = long.Parse(form.GetValueOrDefault("expires_at", "0"), CultureInfo.InvariantCulture),
                metadata = new Dictionary<string, string?> { ["event"] = form.GetValueOrDefault("metadata[event]"), ["order"] = form.GetValueOrDefault("metadata[order]") },
                livemode = false,
            };
        }));
        app.MapPost("/v1/refunds", (HttpRequest r) => stripe.AnswerAsync(r, form => new
        {
            id = $"re_test_{stripe.NextId()}",
            @object = "refund",
            status = "succeeded",
            payment_intent = form.GetValueOrDefault("payment_intent"),
            metadata = new Dictionary<string, string?> { ["event"] = form.GetValueOrDefault("metadata[event]"), ["order"] = form.GetValueOrDefault("metadata[order]") },
        }));
        await app.StartAsync();
        return stripe;
    }

    private int NextId() => Interlocked.Increment(ref _next);

    private async Task<IResult> AnswerAsync(HttpRequest request, Func<Dictionary<string, string>, object> answer)
    {
        var form = (await request.ReadFormAsync()).ToDictionary(f => f.Key, f => f.Value.ToString());
        var key = request.Headers["Idempotency-Key"].FirstOrDefault();
        Calls.Enqueue(new StripeCall(request.Path, key, form));
        if (request.Headers.Authorization.ToString() != $"Bearer {SecretKey}")
        {
            return Results.Json(new { error = new { type = "invalid_request_error", message = "Invalid API Key provided" } }, statusCode: (int)HttpStatusCode.Unauthorized);
        }

        var json = key is null ? JsonSerializer.Serialize(answer(form)) : _answers.GetOrAdd($"{request.Path}:{key}", _ => JsonSerializer.Serialize(answer(form)));
        return Results.Content(json, "application/json");
    }

    public IReadOnlyList<StripeCall> CallsTo(string path) => [.. Calls.Where(c => c.Path == path)];

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    // A Stripe event as Stripe posts it to a webhook endpoint, for the API version Stripe.net is
    // pinned to.
    public static string Event(string id, string type, object dataObject) => JsonSerializer.Serialize(new
    {
        id,
        @object = "event",
        api_version = Stripe.StripeConfiguration.ApiVersion,
        created = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        livemode = false,
        pending_webhooks = 1,
        request = new { id = (string?)null, idempotency_key = (string?)null },
        type,
        data = new { @object = dataObject },
    });

    public static object CompletedSession(string sessionId, string slug, string orderId, string paymentIntent) => new
    {
        id = sessionId,
        @object = "checkout.session",
        mode = "payment",
        status = "complete",
        payment_status = "paid",
        payment_intent = paymentIntent,
        client_reference_id = orderId,
        metadata = new { @event = slug, order = orderId },
    };

    public static object ExpiredSession(string sessionId, string slug, string orderId) => new
    {
        id = sessionId,
        @object = "checkout.session",
        mode = "payment",
        status = "expired",
        payment_status = "unpaid",
        payment_intent = (string?)null,
        client_reference_id = orderId,
        metadata = new { @event = slug, order = orderId },
    };

    public static object RefundedCharge(string paymentIntent) => new
    {
        id = $"ch_{paymentIntent}",
        @object = "charge",
        payment_intent = paymentIntent,
        refunded = true,
        amount_refunded = 1500,
    };

    // Stripe's signature header: t=<unix seconds>,v1=HMAC-SHA256(secret, "<t>.<body>") in hex.
    public static string Sign(string body, DateTimeOffset at, string secret = WebhookSecret)
    {
        var t = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{body}"));
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }

    public static async Task<HttpResponseMessage> PostWebhookAsync(HttpClient client, string body, string? signature = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/stripe/webhook") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Stripe-Signature", signature ?? Sign(body, DateTimeOffset.UtcNow));
        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }
}

// Log lines of one host, for tests that check the server says why it refused something.
public sealed class CapturedLogs : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs.Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}");
    }
}
