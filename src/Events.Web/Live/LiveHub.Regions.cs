using Events.Web.Shared;
using Microsoft.AspNetCore.SignalR;

namespace Events.Web.Live;

public sealed partial class LiveHub
{
    // A region's refetch over this connection (LiveRegions): the region deflated in base64, or null
    // when the page should fetch it over HTTP instead.
    [ReadOnlyHubMethod]
    public Task<string?> Region(string url, LiveRegions regions) =>
        regions.RenderAsync(Context.GetHttpContext(), url, Context.ConnectionAborted);
}
