using Events.Grains.Mixer;

namespace Events.Grains.Tests.Mixer;

// The timeline arithmetic: controls recorded at instants, read back at other instants.
public sealed class MixerClockTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 8, 30, 0, TimeSpan.Zero);

    private static DateTimeOffset At(double minutes) => T0.AddMinutes(minutes);

    // A line-up of 10 + 8 + 7 minutes: Kampala, Bizerte, Kumasi.
    private static MixerState LineUp()
    {
        var state = MixerState.Initial;
        foreach (var (id, city, minutes) in new[] { ("i1", "Kampala", 10), ("i2", "Bizerte", 8), ("i3", "Kumasi", 7) })
        {
            state = state
                .Apply(new InterventionProposed(new Intervention(id, "Speaker", city, $"{city} pilot", "", minutes, InterventionStatus.Proposed, null, "p@example.org")))
                .Apply(new InterventionAccepted("m", id));
        }

        return state;
    }

    private static MixerState Control(MixerState state, MixerControl control, double atMinutes) =>
        state.Apply(new MixerControlled("m", control, At(atMinutes)));

    [Fact]
    public void A_started_slot_counts_down_the_first_intervention_and_projects_the_slot_end()
    {
        var state = Control(LineUp(), MixerControl.StartSlot, 0);

        var now = MixerClock.Compute(state, At(4));

        Assert.Equal(MixerPhase.Running, now.Phase);
        Assert.Equal("i1", now.Current!.Id);
        Assert.Equal("i2", now.Next!.Id);
        Assert.Equal(At(10), now.CurrentEndsAt);
        Assert.Equal(TimeSpan.FromMinutes(6), now.Remaining);
        Assert.False(now.OverTime);
        Assert.Equal(At(25), now.ProjectedEnd);
        Assert.Equal(5, now.RemainingSlotMinutes);
    }

    [Fact]
    public void Pausing_freezes_the_time_left_and_resuming_pushes_the_end_back_by_the_pause()
    {
        var paused = Control(Control(LineUp(), MixerControl.StartSlot, 0), MixerControl.Pause, 4);

        Assert.Equal(TimeSpan.FromMinutes(6), MixerClock.Compute(paused, At(4)).Remaining);
        Assert.Equal(TimeSpan.FromMinutes(6), MixerClock.Compute(paused, At(9)).Remaining);
        Assert.False(MixerClock.Compute(paused, At(30)).OverTime);

        var resumed = Control(paused, MixerControl.Resume, 9);
        var now = MixerClock.Compute(resumed, At(10));

        Assert.Equal(At(15), now.CurrentEndsAt);
        Assert.Equal(TimeSpan.FromMinutes(5), now.Remaining);
        Assert.Equal(At(30), now.ProjectedEnd);
    }

    [Fact]
    public void Extending_adds_a_minute_each_time_and_running_past_the_end_is_over_time()
    {
        var started = Control(LineUp(), MixerControl.StartSlot, 0);
        var extended = Control(Control(started, MixerControl.Extend, 9), MixerControl.Extend, 9.5);

        Assert.Equal(At(12), MixerClock.Compute(extended, At(11)).CurrentEndsAt);
        var overTime = MixerClock.Compute(started, At(12));
        Assert.True(overTime.OverTime);
        Assert.Equal(TimeSpan.FromMinutes(-2), overTime.Remaining);
        // Over-time pushes the rest of the line-up: the slot now ends 2 minutes late.
        Assert.Equal(At(27), overTime.ProjectedEnd);
    }

    [Fact]
    public void Next_starts_the_following_intervention_afresh_and_after_the_last_the_slot_ends()
    {
        var state = Control(Control(Control(LineUp(), MixerControl.StartSlot, 0), MixerControl.Extend, 5), MixerControl.Next, 12);

        var second = MixerClock.Compute(state, At(13));
        Assert.Equal("i2", second.Current!.Id);
        Assert.Equal(At(20), second.CurrentEndsAt);

        var ended = Control(Control(state, MixerControl.Next, 20), MixerControl.Next, 27);
        var after = MixerClock.Compute(ended, At(28));
        Assert.Equal(MixerPhase.Ended, after.Phase);
        Assert.Null(after.Current);
        Assert.Null(after.Next);
        Assert.Equal(At(27), after.ProjectedEnd);
    }

    [Fact]
    public void Skipping_drops_the_next_intervention_from_the_line_up_without_it_speaking()
    {
        var state = Control(Control(LineUp(), MixerControl.StartSlot, 0), MixerControl.Skip, 3);

        var now = MixerClock.Compute(state, At(3));
        Assert.Equal("i3", now.Next!.Id);
        Assert.Equal(At(17), now.ProjectedEnd);

        var third = MixerClock.Compute(Control(state, MixerControl.Next, 10), At(10));
        Assert.Equal("i3", third.Current!.Id);
        Assert.Null(third.Next);
    }

    [Fact]
    public void Ending_early_stops_the_clock_where_it_was()
    {
        var state = Control(Control(LineUp(), MixerControl.StartSlot, 0), MixerControl.End, 5);

        var now = MixerClock.Compute(state, At(20));

        Assert.Equal(MixerPhase.Ended, now.Phase);
        Assert.Null(now.Current);
        Assert.False(now.OverTime);
        Assert.Equal(At(5), now.ProjectedEnd);
    }

    [Fact]
    public void A_slot_that_starts_late_keeps_every_intervention_whole_and_shows_how_late_it_will_end()
    {
        var plannedEnd = At(30);

        var state = Control(LineUp(), MixerControl.StartSlot, 7);
        var now = MixerClock.Compute(state, At(7));

        Assert.Equal(At(17), now.CurrentEndsAt);
        Assert.Equal(At(32), now.ProjectedEnd);
        Assert.Equal(TimeSpan.FromMinutes(2), now.ProjectedEnd - plannedEnd);
    }
}
