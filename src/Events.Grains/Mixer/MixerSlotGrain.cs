using Events.Grains.Journal;

namespace Events.Grains.Mixer;

// One Global Mixer slot, keyed "{event slug}/{session id}": a 30-minute line-up of short
// interventions, the call for interventions that fills it, and the moderator's timeline.
public interface IMixerSlotGrain : IGrainWithStringKey
{
    Task<MixerView> GetAsync();

    Task<Intervention> ProposeAsync(string proposedBy, ProposeIntervention proposal);

    Task AcceptAsync(string actor, string interventionId);

    Task DeclineAsync(string actor, string interventionId, string reason);

    // Moves an accepted intervention up (-1) or down (+1) in the line-up.
    Task MoveAsync(string actor, string interventionId, int by);

    // With a key (the console's live buttons), a resend answers as before and changes nothing:
    // a "Next" sent again after a lost answer must not move on twice.
    Task<MixerView> ControlAsync(string actor, MixerControl control, string? idempotencyKey = null);
}

[GrainType(TypeName)]
public sealed class MixerSlotGrain(TimeProvider clock) : JournalGrain<MixerState, MixerEvent>, IMixerSlotGrain
{
    // Part of the database format (journal rows name it) and of the live topic that follows this grain.
    public const string TypeName = "mixer";

    public const int MaxTitleLength = 200;
    public const int MaxSummaryLength = 2_000;
    public const int MaxReasonLength = 500;
    public const int MaxIdempotencyKeyLength = 64;

    public Task<MixerView> GetAsync() => Task.FromResult(View());

    public Task<Intervention> ProposeAsync(string proposedBy, ProposeIntervention proposal)
    {
        var title = Input.Required(proposal.Title, MaxTitleLength, Problem.TitleRequired, Problem.TitleTooLong);
        var presenter = Input.Required(proposal.Presenter, 100, Problem.DisplayNameRequired, Problem.DisplayNameTooLong);
        var city = (proposal.City ?? "").Trim();
        if (city.Length > 100)
        {
            throw new ValidationFailedException(Problem.OrganisationTooLong, 100, city.Length);
        }

        var summary = (proposal.SummaryMarkdown ?? "").Trim();
        if (summary.Length > MaxSummaryLength)
        {
            throw new ValidationFailedException(Problem.DescriptionTooLong, MaxSummaryLength, summary.Length);
        }

        RequireFits(proposal.Minutes);
        var intervention = new Intervention($"i{Version + 1}", presenter, city, title, summary, proposal.Minutes, InterventionStatus.Proposed, null, proposedBy);
        RaiseEvent(new InterventionProposed(intervention));
        return Task.FromResult(intervention);
    }

    public Task AcceptAsync(string actor, string interventionId)
    {
        var intervention = Proposed(interventionId);
        RequireFits(intervention.Minutes);
        RaiseEvent(new InterventionAccepted(actor, interventionId));
        return Task.CompletedTask;
    }

    public Task DeclineAsync(string actor, string interventionId, string reason)
    {
        Proposed(interventionId);
        var text = Input.Required(reason, MaxReasonLength, Problem.ReasonRequired, Problem.ReasonTooLong);
        RaiseEvent(new InterventionDeclined(actor, interventionId, text));
        return Task.CompletedTask;
    }

    public Task MoveAsync(string actor, string interventionId, int by)
    {
        var index = State.LineUp.IndexOf(interventionId);
        if (index < 0)
        {
            throw new ValidationFailedException(Problem.InterventionMissing, interventionId);
        }

        var target = Math.Clamp(index + Math.Sign(by), 0, State.LineUp.Count - 1);
        if (target != index)
        {
            RaiseEvent(new InterventionMoved(actor, State.LineUp.RemoveAt(index).Insert(target, interventionId)));
        }

        return Task.CompletedTask;
    }

    public Task<MixerView> ControlAsync(string actor, MixerControl control, string? idempotencyKey = null)
    {
        if (idempotencyKey is { Length: 0 or > MaxIdempotencyKeyLength })
        {
            throw new ValidationFailedException(Problem.IdempotencyKeyInvalid);
        }

        if (idempotencyKey is not null && State.ControlledUnder(idempotencyKey) is { } earlier)
        {
            return earlier.Control == control ? Task.FromResult(View()) : throw new ValidationFailedException(Problem.IdempotencyKeyReused);
        }

        var timeline = State.Timeline;
        var allowed = control switch
        {
            MixerControl.StartSlot => timeline.Phase == MixerPhase.NotStarted && !State.LineUp.IsEmpty,
            MixerControl.Next or MixerControl.Skip or MixerControl.End => timeline.Phase is MixerPhase.Running or MixerPhase.Paused,
            MixerControl.Extend => timeline.Phase is MixerPhase.Running or MixerPhase.Paused,
            MixerControl.Pause => timeline.Phase == MixerPhase.Running,
            MixerControl.Resume => timeline.Phase == MixerPhase.Paused,
            _ => false,
        };
        if (!allowed)
        {
            throw new ValidationFailedException(State.LineUp.IsEmpty ? Problem.LineUpEmpty : Problem.MixerControlNotNow, control, timeline.Phase);
        }

        RaiseEvent(new MixerControlled(actor, control, clock.GetUtcNow(), idempotencyKey));
        return Task.FromResult(View());
    }

    private MixerView View()
    {
        var byStatus = State.Interventions.ToLookup(i => i.Status);
        return new MixerView(
            Key,
            Version,
            MixerClock.SlotMinutes,
            [.. State.LineUp.Select(id => State.Find(id)!)],
            [.. byStatus[InterventionStatus.Proposed]],
            [.. byStatus[InterventionStatus.Declined]],
            MixerClock.Compute(State, clock.GetUtcNow()));
    }

    private Intervention Proposed(string id) =>
        State.Find(id) is { Status: InterventionStatus.Proposed } intervention
            ? intervention
            : throw new ValidationFailedException(Problem.InterventionMissing, id);

    // The line-up may not exceed the slot: a proposal or an acceptance over what is left is refused.
    private void RequireFits(int minutes)
    {
        var left = MixerClock.SlotMinutes - State.LineUp.Sum(id => State.Find(id)!.Minutes);
        if (minutes < 1)
        {
            throw new ValidationFailedException(Problem.InterventionMinutes, MixerClock.SlotMinutes);
        }

        if (minutes > left)
        {
            throw new ValidationFailedException(Problem.SlotFull, minutes, left, MixerClock.SlotMinutes);
        }
    }
}
