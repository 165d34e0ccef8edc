using System.Collections.Immutable;

namespace Events.Grains.Mixer;

// The timeline arithmetic, as pure functions of the recorded controls and an instant.
public static class MixerClock
{
    public const int SlotMinutes = 30;

    public static MixerTimeline Apply(MixerState state, MixerControl control, DateTimeOffset at)
    {
        var timeline = state.Timeline;
        return control switch
        {
            MixerControl.StartSlot => StartAt(state, timeline with { Phase = MixerPhase.Running, SlotStartedAt = at }, NextIndex(state, -1), at),
            MixerControl.Next => StartAt(state, Resumed(timeline, at) with { Phase = MixerPhase.Running }, NextIndex(state, timeline.Current), at),
            MixerControl.Extend => timeline with { ExtraMinutes = timeline.ExtraMinutes + 1 },
            MixerControl.Pause => timeline with { Phase = MixerPhase.Paused, PausedAt = at },
            MixerControl.Resume => Resumed(timeline, at) with { Phase = MixerPhase.Running },
            MixerControl.Skip when NextIndex(state, timeline.Current) is var next && next < state.LineUp.Count =>
                timeline with { Skipped = timeline.Skipped.Add(state.LineUp[next]) },
            MixerControl.End => timeline with { Phase = MixerPhase.Ended, EndedAt = at, PausedAt = null },
            _ => timeline,
        };
    }

    public static MixerNow Compute(MixerState state, DateTimeOffset now)
    {
        var timeline = state.Timeline;
        var current = timeline.Phase is MixerPhase.Running or MixerPhase.Paused && timeline.Current >= 0 && timeline.Current < state.LineUp.Count
            ? state.Find(state.LineUp[timeline.Current])
            : null;
        var nextIndex = timeline.Phase == MixerPhase.Ended ? state.LineUp.Count : NextIndex(state, timeline.Current);
        var next = nextIndex < state.LineUp.Count ? state.Find(state.LineUp[nextIndex]) : null;

        DateTimeOffset? endsAt = null;
        var remaining = TimeSpan.Zero;
        if (current is not null && timeline.CurrentStartedAt is { } started)
        {
            var paused = timeline.PausedBefore + (timeline.PausedAt is { } pausedAt ? now - pausedAt : TimeSpan.Zero);
            endsAt = started + TimeSpan.FromMinutes(current.Minutes + timeline.ExtraMinutes) + paused;
            remaining = endsAt.Value - now;
        }

        var after = state.LineUp.Skip(Math.Max(nextIndex, 0))
            .Where(id => !timeline.Skipped.Contains(id))
            .Sum(id => state.Find(id)!.Minutes);
        var projectedEnd = timeline.Phase == MixerPhase.Ended
            ? timeline.EndedAt!.Value
            : (endsAt is { } end && end > now ? end : now) + TimeSpan.FromMinutes(after);
        var accepted = state.LineUp.Sum(id => state.Find(id)!.Minutes);
        return new MixerNow(
            timeline.Phase,
            current,
            next,
            endsAt,
            remaining,
            timeline.Phase == MixerPhase.Running && remaining < TimeSpan.Zero,
            projectedEnd,
            SlotMinutes - accepted);
    }

    // The next line-up position after `from` that was not skipped.
    public static int NextIndex(MixerState state, int from)
    {
        var index = from + 1;
        while (index < state.LineUp.Count && state.Timeline.Skipped.Contains(state.LineUp[index]))
        {
            index++;
        }

        return index;
    }

    private static MixerTimeline StartAt(MixerState state, MixerTimeline timeline, int index, DateTimeOffset at) =>
        index < state.LineUp.Count
            ? timeline with { Current = index, CurrentStartedAt = at, ExtraMinutes = 0, PausedBefore = TimeSpan.Zero, PausedAt = null }
            : timeline with { Phase = MixerPhase.Ended, EndedAt = at, Current = state.LineUp.Count, PausedAt = null };

    private static MixerTimeline Resumed(MixerTimeline timeline, DateTimeOffset at) =>
        timeline.PausedAt is { } pausedAt ? timeline with { PausedBefore = timeline.PausedBefore + (at - pausedAt), PausedAt = null } : timeline;
}
