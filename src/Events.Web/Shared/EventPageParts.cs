using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Orleans;

namespace Events.Web.Shared;

// A feature's part of an event's page (the announcements), which the agenda renders after the
// event's summary without naming the feature, so that the agenda depends on none of them. Each
// feature registers its part; parts render in the order they were registered.
public interface IEventPagePart
{
    Task<RenderFragment> RenderAsync(EventPageContext page);
}

// Who is looking at which event. CanModerate is the agenda's own answer, asked once for the page.
public sealed record EventPageContext(string Slug, HttpContext Http, IGrainFactory Grains, bool CanModerate);
