using System.Security.Claims;
using Events.Grains;
using Events.Grains.People;
using Orleans;
using Events.Web.Localization;
using Events.Web.Security;
using Events.Web.Shared;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Events.Web.People;

public sealed record SignInForm
{
    public string? Email { get; init; }

    public string? ReturnUrl { get; init; }
}

public sealed record CodeForm
{
    public string? Code { get; init; }

    public string? ReturnUrl { get; init; }
}

public sealed record LinkForm
{
    public string? Token { get; init; }
}

public static class SignInEndpoints
{
    public static IEndpointRouteBuilder MapSignIn(this IEndpointRouteBuilder app)
    {
        var signIn = app.MapGroup("/signin").AllowAnonymous();
        signIn.MapGet("/", (string? returnUrl) => Pages.Render(new SignInPage { ReturnUrl = returnUrl }));
        signIn.MapPost("/", RequestSignIn).RequireRateLimiting(RateLimitOptions.SignInPolicy)
            .OnRefusal(r => Task.FromResult<IResult>(Pages.Render(new SignInPage { Email = r.Form<SignInForm>()?.Email, ReturnUrl = r.Form<SignInForm>()?.ReturnUrl, Error = r.Error }, StatusCodes.Status400BadRequest)));
        signIn.MapGet("/link", ShowLink);
        signIn.MapPost("/link", RedeemLink).RequireRateLimiting(RateLimitOptions.CodePolicy);
        signIn.MapGet("/{challengeId}", ShowCode);
        signIn.MapPost("/{challengeId}", VerifyCode).RequireRateLimiting(RateLimitOptions.CodePolicy);

        app.MapPost("/signout", async (HttpContext http, IGrainFactory grains) =>
        {
            await Sessions.SignOutAsync(http, grains, everywhere: false);
            return TypedResults.Redirect("/");
        }).RequireAuthorization(Policies.SignedIn);
        return app;
    }

    private static async Task<IResult> RequestSignIn([FromForm] SignInForm form, HttpContext http, SignInMailer mailer, SignInLimits limits, CancellationToken cancellationToken)
    {
        var email = EmailAddress.Normalize(form.Email);

        if (!limits.TryStart(email))
        {
            return Pages.Render(new SignInPage { Email = form.Email, ReturnUrl = form.ReturnUrl, Error = TooManyFor(http) }, StatusCodes.Status429TooManyRequests);
        }

        var issued = await mailer.StartAsync(email, null, null, Text.LanguageOf(http), cancellationToken);
        return TypedResults.Redirect(CodePath(issued.ChallengeId, form.ReturnUrl));
    }

    // Too many sign-in mails for this address lately, whoever asked: nothing is sent.
    internal static string TooManyFor(HttpContext http)
    {
        var window = http.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value.Window;
        http.Response.Headers.RetryAfter = ((int)window.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Text.Format(Text.LanguageOf(http), "signin.too-many-for-person", (int)Math.Ceiling(window.TotalMinutes));
    }

    private static async Task<IResult> ShowCode(string challengeId, string? returnUrl, IGrainFactory grains)
    {
        var view = await grains.GetGrain<ISignInChallengeGrain>(challengeId).GetAsync();
        return view is null
            ? Refused(SignInStatus.Unknown)
            : Pages.Render(new SignInCodePage { ChallengeId = challengeId, MaskedEmail = view.MaskedEmail, ReturnUrl = returnUrl });
    }

    private static async Task<IResult> VerifyCode(string challengeId, [FromForm] CodeForm form, HttpContext http, IGrainFactory grains)
    {
        var challenge = grains.GetGrain<ISignInChallengeGrain>(challengeId);
        var outcome = await challenge.VerifyCodeAsync(form.Code ?? "");
        if (outcome.Status == SignInStatus.SignedIn)
        {
            return await CompleteAsync(http, grains, outcome, form.ReturnUrl);
        }

        if (outcome.Status == SignInStatus.WrongCode && await challenge.GetAsync() is { } view)
        {
            var error = Text.Format(Text.LanguageOf(http), outcome.AttemptsLeft == 1 ? "signin.wrong-code-one" : "signin.wrong-code", outcome.AttemptsLeft);
            return Pages.Render(new SignInCodePage { ChallengeId = challengeId, MaskedEmail = view.MaskedEmail, ReturnUrl = form.ReturnUrl, Error = error }, StatusCodes.Status400BadRequest);
        }

        return Refused(outcome.Status);
    }

    private static async Task<IResult> ShowLink(string? t, HttpContext http, IGrainFactory grains)
    {
        http.NoReferrer();
        if (t is null || SplitToken(t) is not { } token || await grains.GetGrain<ISignInChallengeGrain>(token.ChallengeId).GetAsync() is not { } view)
        {
            return Refused(SignInStatus.Unknown);
        }

        return view.IsOpen
            ? Pages.Render(new SignInLinkPage { Token = t, MaskedEmail = view.MaskedEmail })
            : Refused(SignInStatus.Expired);
    }

    private static async Task<IResult> RedeemLink([FromForm] LinkForm form, HttpContext http, IGrainFactory grains)
    {
        http.NoReferrer();
        if (SplitToken(form.Token) is not { } token)
        {
            return Refused(SignInStatus.Unknown);
        }

        var outcome = await grains.GetGrain<ISignInChallengeGrain>(token.ChallengeId).RedeemLinkAsync(token.Secret);
        return outcome.Status == SignInStatus.SignedIn ? await CompleteAsync(http, grains, outcome, null) : Refused(outcome.Status);
    }

    // The person proved they own the address: create the account if new, redeem the invitation
    // they were accepting, and give them the cookie.
    private static async Task<IResult> CompleteAsync(HttpContext http, IGrainFactory grains, SignInOutcome outcome, string? returnUrl)
    {
        var email = outcome.Email!;
        var account = await grains.GetGrain<IAccountGrain>(email).EnsureAsync(PreferredLanguage(http));
        await Sessions.SignInAsync(http, grains, email);

        if (outcome.Invitation is { } pending)
        {
            var check = await grains.GetGrain<IEventAccessGrain>(pending.EventSlug).AcceptInvitationAsync(pending.InvitationId, pending.SecretHash, email);
            if (check.Status != InvitationStatus.Open)
            {
                return Pages.Message(StatusCodes.Status410Gone, "signin.invitation-closed", InvitationEndpoints.Explain(check.Status), $"/events/{pending.EventSlug}", "invitation.see-event");
            }

            return TypedResults.Redirect(account.HasProfile ? $"/events/{pending.EventSlug}" : "/account?welcome=true");
        }

        return TypedResults.Redirect(account.HasProfile ? Pages.LocalOr(returnUrl, "/") : "/account?welcome=true");
    }

    private static RazorComponentResult<MessagePage> Refused(SignInStatus status) => status switch
    {
        SignInStatus.LockedOut => Pages.Message(StatusCodes.Status410Gone, "signin.closed", "signin.closed-text", "/signin", "signin.ask-again"),
        SignInStatus.Expired => Pages.Message(StatusCodes.Status410Gone, "signin.expired", "signin.expired-text", "/signin", "signin.ask-again", (int)SignInChallengeGrain.Lifetime.TotalMinutes),
        SignInStatus.AlreadyUsed => Pages.Message(StatusCodes.Status410Gone, "signin.used", "signin.used-text", "/signin", "signin.ask-again"),
        _ => Pages.Message(StatusCodes.Status404NotFound, "signin.invalid", "signin.invalid-text", "/signin", "signin.ask-again"),
    };

    private static (string ChallengeId, string Secret)? SplitToken(string? token)
    {
        var parts = (token ?? "").Split('.');
        return parts.Length == 2 && parts[0].Length is > 0 and <= 64 && parts[1].Length is > 0 and <= 128 ? (parts[0], parts[1]) : null;
    }

    internal static string CodePath(string challengeId, string? returnUrl) =>
        $"/signin/{challengeId}" + (returnUrl is { Length: > 0 } ? $"?returnUrl={Uri.EscapeDataString(Pages.LocalOr(returnUrl, "/"))}" : "");

    private static string PreferredLanguage(HttpContext http)
    {
        foreach (var language in http.Request.GetTypedHeaders().AcceptLanguage.OrderByDescending(l => l.Quality ?? 1))
        {
            var code = language.Value.Value?.Split('-')[0].ToLowerInvariant();
            if (code is not null && AccountGrain.Languages.Contains(code))
            {
                return code;
            }
        }

        return "en";
    }
}
