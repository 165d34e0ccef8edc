using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Events.Web.Security;

// Sign-in mails per address being signed in, whichever client asks: the per-client limit alone
// lets many clients (or one behind many proxies' addresses) flood one mailbox, or start fresh
// challenges to guess codes for one person; this one keeps that to a few per window while other
// people sign in undisturbed. Each challenge also closes after five wrong codes (its grain).
public sealed class SignInLimits(IOptions<RateLimitOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _perPerson = PartitionedRateLimiter.Create<string, string>(email =>
        RateLimitPartition.GetFixedWindowLimiter(email, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.Value.SignInRequestsPerPerson,
            Window = options.Value.Window,
            QueueLimit = 0,
        }));

    public bool TryStart(string normalizedEmail)
    {
        using var lease = _perPerson.AttemptAcquire(normalizedEmail);
        return lease.IsAcquired;
    }

    public void Dispose() => _perPerson.Dispose();
}
