using System.Net;
using Events.Grains;
using Events.Grains.Agenda;
using Events.Grains.Catalog;
using Events.Grains.People;
using Events.Grains.Pitches;
using Events.Silo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace Events.Web.Tests.Hosting;

// A silo on a busy machine: the demo seed's first grain call takes longer than Orleans' response
// timeout. Here the first call to the seed grain is held inside the silo until start-up has been
// told TimeoutException and asked again, which is what a seed slower than the timeout does, with
// no load and no clock.
public sealed class SlowSeedTests
{
    // Short, so that the held call times out soon; long enough for ordinary calls on a loaded machine.
    private static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_silo_whose_demo_seed_outlasts_the_response_timeout_starts_and_serves_the_whole_demo_event()
    {
        var retried = new SeedRetried();
        var held = new FirstSeedCallHeld(retried);
        await using var host = new EventsHost
        {
            TestServices = services =>
            {
                services.AddSingleton<ILoggerProvider>(retried);
                services.AddSingleton<IIncomingGrainCallFilter>(held);
                services.Configure<SiloMessagingOptions>(options => options.ResponseTimeout = ResponseTimeout);
            },
        };

        using var client = host.CreateHttpClient();

        Assert.True(held.Held, "The first seed call was never held, so the test proves nothing.");
        using var page = await client.GetAsync($"/events/{DemoEvent.Slug}", Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);

        // Whole: listed once (the seed's last step), every session, the organiser, every team in its room.
        var listed = await host.Grains.GetGrain<IEventCatalogGrain>(IEventCatalogGrain.CatalogKey).ListAsync();
        Assert.Single(listed, e => e.Slug == DemoEvent.Slug);
        var agenda = await host.Grains.GetGrain<IAgendaGrain>(DemoEvent.Slug).GetAsync();
        Assert.NotNull(agenda);
        Assert.Equal(5, agenda.Sessions.Length);
        var organiser = await host.Grains.GetGrain<IEventAccessGrain>(DemoEvent.Slug).GetMembershipAsync(EmailAddress.Normalize(DemoEvent.OrganiserEmail));
        Assert.True(organiser is not null && organiser.Roles.HasFlag(EventRole.Organiser), "The demo organiser was not granted.");
        var teams = new List<string>();
        foreach (var room in agenda.Sessions.Where(s => s.Kind == SessionKind.PitchRoom))
        {
            var view = await host.Grains.GetGrain<IPitchRoomGrain>(new SessionKey(DemoEvent.Slug, room.Id).ToString()).GetAsync();
            teams.AddRange(view.Pitches.Select(p => p.Team));
        }

        Assert.Equal(4, teams.Distinct().Count());
        Assert.Equal(SeedOutcome.AlreadySeeded, await host.Services.GetRequiredService<DemoEvent>().SeedAsync(DemoEvent.Slug));
    }

    // Holds the first call to the seed grain until the silo has logged that it asks again.
    private sealed class FirstSeedCallHeld(SeedRetried retried) : IIncomingGrainCallFilter
    {
        private int _seedCalls;

        public bool Held { get; private set; }

        public async Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.InterfaceMethod?.DeclaringType == typeof(IEventSeedGrain) && Interlocked.Increment(ref _seedCalls) == 1)
            {
                Held = true;
                await retried.Logged.Task.WaitAsync(Eventually.DefaultTimeout);
            }

            await context.Invoke();
        }
    }

    // Completes when the silo logs that the seed did not answer in time and it asks again.
    private sealed class SeedRetried : ILoggerProvider
    {
        public TaskCompletionSource Logged { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, SeedRetried owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (category == typeof(DemoEvent).FullName && logLevel == LogLevel.Warning && formatter(state, exception).Contains("asking again", StringComparison.Ordinal))
                {
                    owner.Logged.TrySetResult();
                }
            }
        }
    }
}
