using System.Security.Cryptography;
using Events.Grains;
using Events.Grains.Agenda;
using Events.Grains.People;
using Orleans;
using Events.Web.Localization;
using Events.Web.Security;
using Events.Web.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Events.Web.People;

public sealed record InvitationForm
{
    public string? Role { get; init; }

    public string? Team { get; init; }

    public int? ValidDays { get; init; }

    public int? MaxUses { get; init; }
}

public sealed record MemberForm
{
    public string? Email { get; init; }

    public string? Role { get; init; }
}

public sealed record AcceptForm
{
    public string? Email { get; init; }
}

public static class InvitationEndpoints
{
    private const string NewLinkPurpose = "Events.InvitationLink";

    public static IEndpointRouteBuilder MapInvitations(this IEndpointRouteBuilder app)
    {
        var manage = app.MapGroup("/events/{slug}").RequireAuthorization(Policies.EventOrganiser)
            .OnRefusal(r => PeoplePage(r.Route("slug"), r.Grains, r.Service<TimeProvider>(), null, r.Error));
        manage.MapGet("/people", ShowPeople);
        manage.MapPost("/invitations", CreateInvitation);
        manage.MapPost("/invitations/{id}/revoke", RevokeInvitation);
        manage.MapPost("/members/revoke", RevokeRole);

        var invite = app.MapGroup("/invite/{slug}/{token}").AllowAnonymous();
        invite.MapGet("/", ShowInvitation);
        invite.MapPost("/", AcceptInvitation).RequireRateLimiting(RateLimitOptions.InvitationPolicy)
            .OnRefusal(async r =>
            {
                var (check, title) = await CheckAsync(r.Route("slug"), r.Route("token"), r.Grains);
                return check.Status == InvitationStatus.Open
                    ? InvitationPage(r.Route("slug"), r.Route("token"), title!, check, null, r.Form<AcceptForm>()?.Email, r.Error, StatusCodes.Status400BadRequest)
                    : Closed(check.Status);
            });
        return app;
    }

    // The strings key that explains why an invitation cannot be used.
    public static string Explain(InvitationStatus status) => "invitation.closed." + status;

    private static async Task<IResult> ShowPeople(string slug, string? @new, IGrainFactory grains, IDataProtectionProvider protection, TimeProvider clock)
    {
        string? newLink = null;
        if (@new is { Length: > 0 })
        {
            try
            {
                newLink = protection.CreateProtector(NewLinkPurpose).ToTimeLimitedDataProtector().Unprotect(@new);
            }
            catch (CryptographicException)
            {
                // An old or altered "new link" parameter: show the page without it.
            }
        }

        return await PeoplePage(slug, grains, clock, newLink, null);
    }

    private static async Task<IResult> PeoplePage(string slug, IGrainFactory grains, TimeProvider clock, string? newLink, string? error)
    {
        if (await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is not { } agenda)
        {
            return Pages.NoEvent(slug);
        }

        var access = grains.GetGrain<IEventAccessGrain>(slug);
        return Pages.Render(new EventPeoplePage
        {
            Slug = slug,
            EventTitle = agenda.Title,
            Members = await access.ListMembersAsync(),
            Invitations = await access.ListInvitationsAsync(),
            Now = clock.GetUtcNow(),
            NewLink = newLink,
            Error = error,
        }, error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> CreateInvitation(
        string slug, [FromForm] InvitationForm form, HttpContext http, IGrainFactory grains, IDataProtectionProvider protection, IOptions<SiteOptions> site, TimeProvider clock)
    {
        if (await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is null)
        {
            return Pages.NoEvent(slug);
        }

        var request = new InvitationRequest(ParseRole(form.Role), form.Team, TimeSpan.FromDays(Math.Clamp(form.ValidDays ?? 14, -1, EventAccessGrain.MaxInvitationLifetime.Days + 1)), form.MaxUses ?? 1);
        var created = await grains.GetGrain<IEventAccessGrain>(slug).CreateInvitationAsync(http.Viewer().SignedInEmail, request);
        var link = site.Value.Link($"/invite/{slug}/{created.Token}");
        var sealedLink = protection.CreateProtector(NewLinkPurpose).ToTimeLimitedDataProtector().Protect(link, TimeSpan.FromMinutes(10));
        return TypedResults.Redirect($"/events/{slug}/people?new={Uri.EscapeDataString(sealedLink)}#new-invitation");
    }

    private static async Task<IResult> RevokeInvitation(string slug, string id, HttpContext http, IGrainFactory grains, TimeProvider clock)
    {
        await grains.GetGrain<IEventAccessGrain>(slug).RevokeInvitationAsync(http.Viewer().SignedInEmail, id);
        return TypedResults.Redirect($"/events/{slug}/people#invitations");
    }

    private static async Task<IResult> RevokeRole(string slug, [FromForm] MemberForm form, HttpContext http, IGrainFactory grains, TimeProvider clock)
    {
        await grains.GetGrain<IEventAccessGrain>(slug).RevokeAsync(http.Viewer().SignedInEmail, form.Email ?? "", ParseRole(form.Role));
        return TypedResults.Redirect($"/events/{slug}/people#members");
    }

    private static async Task<IResult> ShowInvitation(string slug, string token, HttpContext http, IGrainFactory grains)
    {
        http.NoReferrer();
        var (check, title) = await CheckAsync(slug, token, grains);
        return check.Status == InvitationStatus.Open
            ? InvitationPage(slug, token, title!, check, http.Viewer().Email, null, null, StatusCodes.Status200OK)
            : Closed(check.Status);
    }

    private static async Task<IResult> AcceptInvitation(string slug, string token, [FromForm] AcceptForm form, HttpContext http, IGrainFactory grains, SignInMailer mailer, SignInLimits limits, CancellationToken cancellationToken)
    {
        http.NoReferrer();
        var (check, title) = await CheckAsync(slug, token, grains);
        if (check.Status != InvitationStatus.Open || SplitToken(token) is not { } parts)
        {
            return Closed(check.Status);
        }

        var pending = new PendingInvitation(slug, parts.Id, Secrets.Hash(parts.Secret));
        if (http.Viewer().Email is { } email)
        {
            var accepted = await grains.GetGrain<IEventAccessGrain>(slug).AcceptInvitationAsync(pending.InvitationId, pending.SecretHash, email);
            return accepted.Status == InvitationStatus.Open ? TypedResults.Redirect($"/events/{slug}") : Closed(accepted.Status);
        }

        var address = EmailAddress.Normalize(form.Email);
        var language = Text.LanguageOf(http);
        if (!limits.TryStart(address))
        {
            return InvitationPage(slug, token, title!, check, null, form.Email, SignInEndpoints.TooManyFor(http), StatusCodes.Status429TooManyRequests);
        }

        var note = Text.Format(language, "mail.invited", title, Text.Get(language, $"EventRole.{check.Role}"));
        var issued = await mailer.StartAsync(address, pending, note, language, cancellationToken);
        return TypedResults.Redirect(SignInEndpoints.CodePath(issued.ChallengeId, null));
    }

    private static async Task<(InvitationCheck Check, string? Title)> CheckAsync(string slug, string token, IGrainFactory grains)
    {
        if (SplitToken(token) is not { } parts || await grains.GetGrain<IAgendaGrain>(slug).GetAsync() is not { } agenda)
        {
            return (new InvitationCheck(InvitationStatus.Unknown), null);
        }

        return (await grains.GetGrain<IEventAccessGrain>(slug).CheckInvitationAsync(parts.Id, Secrets.Hash(parts.Secret)), agenda.Title);
    }

    private static RazorComponentResult<InvitationPage> InvitationPage(string slug, string token, string title, InvitationCheck check, string? signedInAs, string? email, string? error, int status) =>
        Pages.Render(new InvitationPage { Slug = slug, Token = token, EventTitle = title, Role = check.Role, Team = check.Team, SignedInAs = signedInAs, Email = email, Error = error }, status);

    private static RazorComponentResult<MessagePage> Closed(InvitationStatus status) =>
        Pages.Message(status == InvitationStatus.Unknown ? StatusCodes.Status404NotFound : StatusCodes.Status410Gone, "invitation.closed", Explain(status));

    private static (string Id, string Secret)? SplitToken(string token)
    {
        var parts = token.Split('.');
        return parts.Length == 2 && parts[0].Length is > 0 and <= 32 && parts[1].Length is > 0 and <= 64 ? (parts[0], parts[1]) : null;
    }

    private static EventRole ParseRole(string? role) =>
        Enum.TryParse<EventRole>(role, ignoreCase: true, out var parsed) && EventPeoplePage.AssignableRoles.Contains(parsed)
            ? parsed
            : throw new ValidationFailedException(Problem.RoleChoice);
}
