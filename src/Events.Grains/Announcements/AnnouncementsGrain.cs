using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Events.Grains.Audit;
using Events.Grains.Journal;

namespace Events.Grains.Announcements;

[GenerateSerializer, Immutable]
public sealed record Announcement(string Id, string Markdown, string PostedBy, DateTimeOffset PostedAt, DateTimeOffset? ExpiresAt)
{
    public bool IsActive(DateTimeOffset now) => ExpiresAt is null || ExpiresAt > now;
}

// The idempotency key comes from the person's browser (or from the form the server rendered), so a
// message sent twice after a reconnect is posted once.
[GenerateSerializer, Immutable]
public sealed record PostAnnouncement(string Markdown, TimeSpan? ValidFor, string IdempotencyKey);

// Short notices from organisers and moderators to everyone following one event (keyed by slug).
public interface IAnnouncementsGrain : IGrainWithStringKey
{
    Task<Announcement> PostAsync(string actor, PostAnnouncement command);

    Task<AnnouncementsView> GetActiveAsync();
}

[GenerateSerializer, Immutable]
public sealed record AnnouncementsView(long Version, ImmutableArray<Announcement> Active);

[JsonPolymorphic]
[JsonDerivedType(typeof(AnnouncementPosted), "announcement-posted")]
[GenerateSerializer, Immutable]
public abstract record AnnouncementEvent;

[GenerateSerializer, Immutable]
public sealed record AnnouncementPosted(Announcement Announcement, string IdempotencyKey) : AnnouncementEvent, IAuditedEvent
{
    public string Actor => Announcement.PostedBy;

    public AuditAction Audit() => AuditAction.Of("announcement-posted", Announcement.Id, Announcement.Markdown.Length <= 80 ? Announcement.Markdown : Announcement.Markdown[..77] + "...");
}

[GenerateSerializer, Immutable]
public sealed record AnnouncementsState(ImmutableList<Announcement> All, ImmutableDictionary<string, string> ByIdempotencyKey)
    : IJournaledState<AnnouncementsState, AnnouncementEvent>
{
    public static AnnouncementsState Initial { get; } = new(ImmutableList<Announcement>.Empty, ImmutableDictionary<string, string>.Empty);

    public AnnouncementsState Apply(AnnouncementEvent @event) => @event switch
    {
        AnnouncementPosted posted => new(All.Add(posted.Announcement), ByIdempotencyKey.SetItem(posted.IdempotencyKey, posted.Announcement.Id)),
        _ => this,
    };
}

[GrainType(TypeName)]
public sealed class AnnouncementsGrain(TimeProvider clock) : JournalGrain<AnnouncementsState, AnnouncementEvent>, IAnnouncementsGrain
{
    // Part of the database format (journal rows name it) and of the live topic that follows this grain.
    public const string TypeName = "announcements";

    public const int MaxLength = 1000;
    public const int MaxIdempotencyKeyLength = 64;
    public static readonly TimeSpan MaxValidity = TimeSpan.FromDays(30);

    public Task<Announcement> PostAsync(string actor, PostAnnouncement command)
    {
        var key = (command.IdempotencyKey ?? "").Trim();
        if (key.Length is 0 or > MaxIdempotencyKeyLength)
        {
            throw new ValidationFailedException(Problem.IdempotencyKeyInvalid);
        }

        if (State.ByIdempotencyKey.TryGetValue(key, out var existing))
        {
            return Task.FromResult(State.All.First(a => a.Id == existing));
        }

        var text = (command.Markdown ?? "").Trim();
        if (text.Length == 0)
        {
            throw new ValidationFailedException(Problem.AnnouncementEmpty);
        }

        if (text.Length > MaxLength)
        {
            throw new ValidationFailedException(Problem.AnnouncementTooLong, MaxLength, text.Length);
        }

        if (command.ValidFor is { } validFor && (validFor < TimeSpan.FromMinutes(1) || validFor > MaxValidity))
        {
            throw new ValidationFailedException(Problem.AnnouncementLifetime);
        }

        var now = clock.GetUtcNow();
        var announcement = new Announcement($"a{Version + 1}", text, actor, now, now + command.ValidFor);
        RaiseEvent(new AnnouncementPosted(announcement, key));
        return Task.FromResult(announcement);
    }

    public Task<AnnouncementsView> GetActiveAsync()
    {
        var now = clock.GetUtcNow();
        return Task.FromResult(new AnnouncementsView(Version, [.. State.All.Where(a => a.IsActive(now)).Reverse()]));
    }
}
