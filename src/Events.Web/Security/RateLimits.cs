using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;

namespace Events.Web.Security;

// Limits per client address on the endpoints an attacker would hammer. Generous enough for an
// office of attendees behind one shared address; the client address is the socket's, or what a
// trusted proxy forwarded (TrustedProxies). The per-person limit (SignInLimits) and the
// per-challenge lockout stop mailbox flooding and code guessing whatever the client address.
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    public const string SignInPolicy = "sign-in";
    public const string CodePolicy = "sign-in-code";
    public const string InvitationPolicy = "invitation";

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(10);

    public int SignInRequests { get; set; } = 20;

    public int CodeAttempts { get; set; } = 30;

    // Sign-in mails per address being signed in (any client), see SignInLimits.
    public int SignInRequestsPerPerson { get; set; } = 5;

    public int InvitationAccepts { get; set; } = 30;

    public static void Add(Microsoft.AspNetCore.RateLimiting.RateLimiterOptions options, RateLimitOptions limits)
    {
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        options.OnRejected = async (context, cancellationToken) =>
        {
            var minutes = (int)Math.Ceiling(limits.Window.TotalMinutes);
            context.HttpContext.Response.Headers.RetryAfter = ((int)limits.Window.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            context.HttpContext.Response.ContentType = "text/plain; charset=utf-8";
            await context.HttpContext.Response.WriteAsync(
                Events.Web.Localization.Text.Format(Events.Web.Localization.Text.LanguageOf(context.HttpContext), "message.too-many", minutes), cancellationToken);
        };
        options.AddPolicy(SignInPolicy, http => PerAddress(http, limits.SignInRequests, limits.Window));
        options.AddPolicy(CodePolicy, http => PerAddress(http, limits.CodeAttempts, limits.Window));
        options.AddPolicy(InvitationPolicy, http => PerAddress(http, limits.InvitationAccepts, limits.Window));
    }

    private static RateLimitPartition<string> PerAddress(HttpContext http, int permits, TimeSpan window) =>
        RateLimitPartition.GetFixedWindowLimiter(
            http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window, QueueLimit = 0 });
}
