using Events.Grains;
using Events.Grains.Agenda;
using Events.Grains.People;
using Events.Grains.Questions;
using Orleans;

namespace Events.Web.Shared;

// What the Q&A board and polls both look up: here, so neither feature names the other for it.
public static class SessionLookups
{
    public static async Task<AgendaSession?> SessionAsync(IGrainFactory grains, string slug, string session) =>
        (await grains.Reference<IAgendaGrain>(slug).GetAsync())?.Sessions.FirstOrDefault(s => s.Id == session);

    // The name other participants see: the profile's, or the address's part before the @.
    public static async Task<Asker> AskerAsync(IGrainFactory grains, string email)
    {
        var account = await grains.GetGrain<IAccountGrain>(email).GetAsync();
        return new Asker(email, account is { HasProfile: true } ? account.DisplayName : email.Split('@')[0]);
    }
}
