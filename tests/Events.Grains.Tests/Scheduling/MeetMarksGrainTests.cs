using Events.Grains.Matchmaking;
using Events.Grains.Scheduling;

namespace Events.Grains.Tests.Scheduling;

public sealed class MeetMarksGrainTests
{
    private static ProfileDraft Profile(string name) =>
        new(name, "Team", OrgType.City, "Kisumu", "Kenya", ["en"], "", [], [], []);

    private static async Task<(GrainCluster Cluster, string Slug)> StartAsync(TestDatabase db)
    {
        var cluster = await db.StartClusterAsync();
        var slug = $"event-{Guid.NewGuid():N}";
        await cluster.GetGrain<IProfileGrain>($"{slug}/amina@example.org").SaveAsync(Profile("Amina Odhiambo"), listed: true);
        await cluster.GetGrain<IProfileGrain>($"{slug}/kofi@example.org").SaveAsync(Profile("Kofi Mensah"), listed: true);
        return (cluster, slug);
    }

    [Theory]
    [InlineData(TestDatabase.Sqlite)]
    [InlineData(TestDatabase.Postgres)]
    public async Task A_one_sided_mark_stays_with_the_one_who_made_it_and_a_pair_who_marked_each_other_is_mutual(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var (cluster, slug) = await StartAsync(db);
        var marks = cluster.GetGrain<IMeetMarksGrain>(slug);
        var amina = PersonIds.Of(slug, "amina@example.org");
        var kofi = PersonIds.Of(slug, "kofi@example.org");

        var aminaMarked = await marks.MarkAsync("amina@example.org", kofi, mark: true);
        var kofiBefore = await marks.MineAsync("kofi@example.org");
        var noneYet = await marks.MutualAsync();

        Assert.Equal([kofi], aminaMarked.Marked);
        Assert.Empty(aminaMarked.Mutual);
        Assert.Empty(kofiBefore.Marked);
        Assert.Empty(kofiBefore.Mutual);
        Assert.Empty(noneYet);

        var kofiMarked = await marks.MarkAsync("kofi@example.org", amina, mark: true);
        Assert.Equal([amina], kofiMarked.Mutual);
        Assert.Equal([kofi], (await marks.MineAsync("amina@example.org")).Mutual);
        var pair = Assert.Single(await marks.MutualAsync());
        Assert.Equal(string.CompareOrdinal(amina, kofi) < 0 ? (amina, kofi) : (kofi, amina), (pair.A, pair.B));

        // Withdrawn: no longer a meeting to schedule, and Kofi's own mark is his alone again.
        await marks.MarkAsync("amina@example.org", kofi, mark: false);
        Assert.Empty(await marks.MutualAsync());
        Assert.Empty((await marks.MineAsync("kofi@example.org")).Mutual);
        Assert.Equal([amina], (await marks.MineAsync("kofi@example.org")).Marked);
    }

    [Fact]
    public async Task Only_people_in_the_directory_for_others_can_mark_or_be_marked_and_a_refused_mark_stores_nothing()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (cluster, slug) = await StartAsync(db);
        await cluster.GetGrain<IProfileGrain>($"{slug}/private@example.org").SaveAsync(Profile("Private Person"), listed: false);
        await cluster.GetGrain<IProfileGrain>($"{slug}/kofi@example.org").ModerateAsync("organiser@example.org", ProfileModeration.Hide);
        var marks = cluster.GetGrain<IMeetMarksGrain>(slug);

        var hidden = await Assert.ThrowsAsync<ValidationFailedException>(() => marks.MarkAsync("amina@example.org", PersonIds.Of(slug, "kofi@example.org"), true));
        var notConsenting = await Assert.ThrowsAsync<ValidationFailedException>(() => marks.MarkAsync("amina@example.org", PersonIds.Of(slug, "private@example.org"), true));
        var fromPrivate = await Assert.ThrowsAsync<ValidationFailedException>(() => marks.MarkAsync("private@example.org", PersonIds.Of(slug, "amina@example.org"), true));
        var self = await Assert.ThrowsAsync<ValidationFailedException>(() => marks.MarkAsync("amina@example.org", PersonIds.Of(slug, "amina@example.org"), true));

        Assert.Equal(Problem.ProfileMissing, hidden.Problem);
        Assert.Equal(Problem.ProfileMissing, notConsenting.Problem);
        Assert.Equal(Problem.MarkNeedsProfile, fromPrivate.Problem);
        Assert.Equal(Problem.MeetingSelf, self.Problem);
        Assert.Empty((await marks.MineAsync("amina@example.org")).Marked);
        Assert.Empty((await marks.MineAsync("private@example.org")).Marked);
    }
}
