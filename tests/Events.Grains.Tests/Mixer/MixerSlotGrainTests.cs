using Events.Grains.Mixer;

namespace Events.Grains.Tests.Mixer;

public sealed class MixerSlotGrainTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 8, 30, 0, TimeSpan.Zero);

    private static async Task<IMixerSlotGrain> SlotAsync(TestDatabase db, TimeProvider? clock = null)
    {
        var cluster = await db.StartClusterAsync(new ClusterSetup { Clock = clock });
        return cluster.GetGrain<IMixerSlotGrain>($"event-{Guid.NewGuid():N}/s3");
    }

    private static ProposeIntervention Proposal(string city, int minutes) => new("Speaker", city, $"{city} pilot", "", minutes);

    [Fact]
    public async Task A_proposal_longer_than_what_is_left_of_the_slot_is_refused_with_the_numbers()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var slot = await SlotAsync(db);
        foreach (var (city, minutes) in new[] { ("Kampala", 10), ("Bizerte", 10), ("Kumasi", 8) })
        {
            var proposed = await slot.ProposeAsync("p@example.org", Proposal(city, minutes));
            await slot.AcceptAsync("m@example.org", proposed.Id);
        }

        var refused = await Assert.ThrowsAsync<ValidationFailedException>(() => slot.ProposeAsync("p@example.org", Proposal("Matola", 5)));

        Assert.Equal(Problem.SlotFull, refused.Problem);
        Assert.Equal(new object[] { 5, 2, 30 }, refused.Arguments);
        Assert.Equal(2, (await slot.GetAsync()).Now.RemainingSlotMinutes);
    }

    [Fact]
    public async Task Accepting_over_the_slot_is_refused_and_a_declined_proposal_keeps_its_reason()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var slot = await SlotAsync(db);
        var first = await slot.ProposeAsync("a@example.org", Proposal("Kampala", 10));
        var second = await slot.ProposeAsync("b@example.org", Proposal("Bizerte", 10));
        var third = await slot.ProposeAsync("c@example.org", Proposal("Kumasi", 10));
        var fourth = await slot.ProposeAsync("d@example.org", Proposal("Matola", 5));
        await slot.AcceptAsync("m", first.Id);
        await slot.AcceptAsync("m", second.Id);
        await slot.AcceptAsync("m", third.Id);

        var full = await Assert.ThrowsAsync<ValidationFailedException>(() => slot.AcceptAsync("m", fourth.Id));
        await slot.DeclineAsync("m", fourth.Id, "The slot is full; please join the next mixer.");

        Assert.Equal(Problem.SlotFull, full.Problem);
        var view = await slot.GetAsync();
        Assert.Equal(["Kampala pilot", "Bizerte pilot", "Kumasi pilot"], view.LineUp.Select(i => i.Title));
        Assert.Equal("The slot is full; please join the next mixer.", view.Declined.Single().DeclineReason);
    }

    [Fact]
    public async Task The_moderator_reorders_the_line_up_and_controls_are_refused_when_they_make_no_sense()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var clock = new ManualClock(T0);
        var slot = await SlotAsync(db, clock);
        var notYet = await Assert.ThrowsAsync<ValidationFailedException>(() => slot.ControlAsync("m", MixerControl.StartSlot));
        var a = await slot.ProposeAsync("a", Proposal("Kampala", 8));
        var b = await slot.ProposeAsync("b", Proposal("Bizerte", 8));
        await slot.AcceptAsync("m", a.Id);
        await slot.AcceptAsync("m", b.Id);

        await slot.MoveAsync("m", b.Id, -1);
        var started = await slot.ControlAsync("m", MixerControl.StartSlot);
        var resumeWhileRunning = await Assert.ThrowsAsync<ValidationFailedException>(() => slot.ControlAsync("m", MixerControl.Resume));

        Assert.Equal(Problem.LineUpEmpty, notYet.Problem);
        Assert.Equal(Problem.MixerControlNotNow, resumeWhileRunning.Problem);
        Assert.Equal(["Bizerte pilot", "Kampala pilot"], started.LineUp.Select(i => i.Title));
        Assert.Equal("Bizerte pilot", started.Now.Current!.Title);
        // The slot runs on the grain's clock: started at T0, three minutes into an 8-minute turn.
        Assert.Equal(T0.AddMinutes(8), started.Now.CurrentEndsAt);
        clock.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(TimeSpan.FromMinutes(5), (await slot.GetAsync()).Now.Remaining);
    }

    // The console's live buttons send a key: a "Next" resent after a lost answer (even to a grain
    // reloaded from its journal since) moves on once, and a key says one control only.
    [Fact]
    public async Task A_control_resent_under_its_key_moves_the_slot_on_once_even_after_a_reload()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var cluster = await db.StartClusterAsync(new ClusterSetup { Clock = new ManualClock(T0) });
        var slot = cluster.GetGrain<IMixerSlotGrain>($"event-{Guid.NewGuid():N}/s3");
        foreach (var city in new[] { "Kampala", "Bizerte", "Kumasi" })
        {
            await slot.AcceptAsync("m", (await slot.ProposeAsync("p", Proposal(city, 8))).Id);
        }

        await slot.ControlAsync("m", MixerControl.StartSlot, "k-start");
        var next = await slot.ControlAsync("m", MixerControl.Next, "k-next");
        await cluster.Cluster.DeactivateAsync(slot);
        var resent = await slot.ControlAsync("m", MixerControl.Next, "k-next");
        var otherControl = await Assert.ThrowsAsync<ValidationFailedException>(() => slot.ControlAsync("m", MixerControl.Skip, "k-next"));

        Assert.Equal("Bizerte pilot", next.Now.Current!.Title);
        Assert.Equal("Bizerte pilot", resent.Now.Current!.Title);
        Assert.Equal(Problem.IdempotencyKeyReused, otherControl.Problem);
        Assert.Equal("Bizerte pilot", (await slot.GetAsync()).Now.Current!.Title);
    }
}
