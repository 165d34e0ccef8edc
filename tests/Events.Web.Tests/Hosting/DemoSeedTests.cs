using System.Text.Json;
using Events.Grains.Catalog;
using Events.Silo;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Events.Web.Tests.Hosting;

// Start-up seeding is a sequence of committed grain calls: a kill lands between two of them (a
// call commits whole or not at all), which is what stopping the sequence after n steps leaves.
public sealed class DemoSeedTests(RunHost run) : IAsyncLifetime
{
    // The run's server; every test works on events of its own.
    private readonly EventsHost _host = run.Host;

    public ValueTask InitializeAsync() => new(run.StartedAsync());

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private DemoEvent Demo => _host.Services.GetRequiredService<DemoEvent>();

    private static string NewSlug() => $"seed-{Guid.NewGuid():N}"[..20];

    [Fact]
    public async Task A_seeding_killed_after_any_step_is_completed_by_the_next_start_exactly_as_if_it_had_never_stopped()
    {
        var reference = NewSlug();
        Assert.Equal(SeedOutcome.Seeded, await Demo.SeedAsync(reference));
        var expected = await JournalAsync(reference);

        var steps = 0;
        for (var step = 0; ; step++)
        {
            var slug = NewSlug();
            if (await Demo.SeedAsync(slug, stepLimit: step) == SeedOutcome.Seeded)
            {
                steps = step;
                break;
            }

            Assert.Equal(SeedOutcome.Seeded, await Demo.SeedAsync(slug));
            Assert.Equal(SeedOutcome.AlreadySeeded, await Demo.SeedAsync(slug));
            Assert.True(expected.SequenceEqual(await JournalAsync(slug)), $"Stopped after {step} steps, the journal differs from an uninterrupted seed.");
            var listed = await _host.Grains.GetGrain<IEventCatalogGrain>(IEventCatalogGrain.CatalogKey).ListAsync();
            Assert.Single(listed, e => e.Slug == slug);
        }

        // Opening, five sessions, the organiser, four cards, four pitches, the listing.
        Assert.Equal(16, steps);
    }

    [Fact]
    public async Task Silos_that_seed_at_the_same_moment_all_carry_on_and_the_event_is_seeded_once()
    {
        var reference = NewSlug();
        await Demo.SeedAsync(reference);
        var expected = await JournalAsync(reference);

        var slug = NewSlug();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Demo.SeedAsync(slug), Ct)));

        Assert.Single(outcomes, o => o == SeedOutcome.Seeded);
        Assert.Equal(3, outcomes.Count(o => o == SeedOutcome.AlreadySeeded));
        Assert.True(expected.SequenceEqual(await JournalAsync(slug)));
    }

    // Every journal row of the event's grains but the audit trail (written after the fact) as (grain type, key without the slug, stored event name).
    private async Task<List<string>> JournalAsync(string slug)
    {
        await using var connection = new SqliteConnection($"Data Source={_host.DatabasePath};Pooling=False");
        await connection.OpenAsync(Ct);
        await using var command = new SqliteCommand(
            "SELECT grain_type, grain_key, payload FROM journal WHERE grain_type <> 'audit' AND (grain_key = @slug OR grain_key LIKE @slug || '/%') ORDER BY grain_type, grain_key, seq",
            connection);
        command.Parameters.AddWithValue("@slug", slug);
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            using var payload = JsonDocument.Parse(reader.GetString(2));
            rows.Add($"{reader.GetString(0)} {reader.GetString(1)[slug.Length..]} {payload.RootElement.GetProperty("$type").GetString()}");
        }

        return rows;
    }
}
