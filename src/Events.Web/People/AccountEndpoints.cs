using Events.Grains;
using Events.Grains.Catalog;
using Events.Grains.People;
using Orleans;
using Events.Web.Localization;
using Events.Web.Security;
using Events.Web.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Events.Web.People;

public sealed record AccountForm
{
    public string? DisplayName { get; init; }

    public string? Organisation { get; init; }

    public string? Country { get; init; }

    public string? Language { get; init; }
}

public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccount(this IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/account").RequireAuthorization(Policies.SignedIn);
        account.MapGet("/", ShowAccount);
        account.MapPost("/", SaveAccount).OnRefusal(async r =>
            await Page(r.Grains, await r.Grains.GetGrain<IAccountGrain>(r.Http.Viewer().SignedInEmail).EnsureAsync("en"), ProfileOf(r.Form<AccountForm>()!), false, false, r.Error, StatusCodes.Status400BadRequest));
        account.MapPost("/signout-everywhere", async (HttpContext http, IGrainFactory grains) =>
        {
            await Sessions.SignOutAsync(http, grains, everywhere: true);
            return TypedResults.Redirect("/");
        });
        return app;
    }

    private static async Task<IResult> ShowAccount(bool? saved, bool? welcome, HttpContext http, IGrainFactory grains)
    {
        var account = await grains.GetGrain<IAccountGrain>(http.Viewer().SignedInEmail).EnsureAsync("en");
        var form = new AccountProfile(account.DisplayName, account.Organisation, account.Country, account.Language);
        return await Page(grains, account, form, saved == true, welcome == true, null, StatusCodes.Status200OK);
    }

    private static async Task<IResult> SaveAccount([FromForm] AccountForm form, HttpContext http, IGrainFactory grains)
    {
        await grains.GetGrain<IAccountGrain>(http.Viewer().SignedInEmail).UpdateProfileAsync(ProfileOf(form));
        return TypedResults.Redirect("/account?saved=true");
    }

    private static AccountProfile ProfileOf(AccountForm form) =>
        new(form.DisplayName ?? "", form.Organisation ?? "", form.Country ?? "", form.Language ?? "en");

    private static async Task<IResult> Page(IGrainFactory grains, Account account, AccountProfile form, bool saved, bool welcome, string? error, int status)
    {
        var roles = new List<(string, string, EventRole)>();
        foreach (var listing in await grains.GetGrain<IEventCatalogGrain>(IEventCatalogGrain.CatalogKey).ListAsync())
        {
            if (await grains.GetGrain<IEventAccessGrain>(listing.Slug).GetMembershipAsync(account.Email) is { } membership)
            {
                roles.Add((listing.Slug, listing.Title, membership.Roles));
            }
        }

        return Pages.Render(new AccountPage { Account = account, Form = form, Roles = roles, Saved = saved, Welcome = welcome, Error = error }, status);
    }
}
