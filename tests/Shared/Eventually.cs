namespace Events.Testing;

// The one way a test waits for something that happens in the background (a mail pump, a relay, a
// run that finishes, a delta): poll a probe until its value is what the test awaits, with a
// generous deadline so that a busy machine is never mistaken for a defect. On the deadline it
// fails saying what was awaited and what was last seen. Never a fixed sleep: the poll returns as
// soon as the condition holds.
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(120);

    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(200);

    public static async Task<T> UntilAsync<T>(string awaited, Func<Task<T>> probe, Func<T, bool> holds, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var deadline = DateTime.UtcNow + limit;
        var pause = FirstPause;
        while (true)
        {
            var seen = await probe();
            if (holds(seen))
            {
                return seen;
            }

            if (DateTime.UtcNow >= deadline)
            {
                Assert.Fail($"Waited {limit.TotalSeconds:0.#} s for {awaited}; last seen: {Describe(seen)}");
            }

            await Task.Delay(pause, TestContext.Current.CancellationToken);
            pause = pause * 2 < LongestPause ? pause * 2 : LongestPause;
        }
    }

    public static Task<T> UntilAsync<T>(string awaited, Func<T> probe, Func<T, bool> holds, TimeSpan? timeout = null) =>
        UntilAsync<T>(awaited, () => Task.FromResult(probe()), holds, timeout);

    public static Task UntilAsync(string awaited, Func<Task<bool>> condition, TimeSpan? timeout = null) =>
        UntilAsync<bool>(awaited, condition, held => held, timeout);

    public static Task UntilAsync(string awaited, Func<bool> condition, TimeSpan? timeout = null) =>
        UntilAsync<bool>(awaited, () => Task.FromResult(condition()), held => held, timeout);

    // For what happens only after something is done again: a relay that must forget a silo after
    // it registered, a commit that must come after a subscriber joined. Does it, waits up to
    // `every` for the condition, and does it again, until the condition holds or the deadline passes.
    public static Task RepeatingAsync(string awaited, Func<Task> act, Func<bool> condition, TimeSpan every, TimeSpan? timeout = null)
    {
        var actAgainAt = DateTime.MinValue;
        return UntilAsync(awaited, async () =>
        {
            if (!condition() && DateTime.UtcNow >= actAgainAt)
            {
                await act();
                actAgainAt = DateTime.UtcNow + every;
            }

            return condition();
        }, timeout);
    }

    // Until a signal the test listens for has come (a task completes): no polling, and the same
    // generous deadline and message as every other wait. A signal that fails throws its failure.
    public static async Task SignalledAsync(string awaited, Task signal, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        try
        {
            await signal.WaitAsync(limit, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException) when (!signal.IsCompleted)
        {
            Assert.Fail($"Waited {limit.TotalSeconds:0.#} s for {awaited}; it did not come.");
        }
    }

    // Until the probe returns something (not null), which it returns.
    public static async Task<T> FoundAsync<T>(string awaited, Func<Task<T?>> probe, TimeSpan? timeout = null)
        where T : class =>
        (await UntilAsync<T?>(awaited, probe, found => found is not null, timeout))!;

    public static async Task<T> FoundAsync<T>(string awaited, Func<T?> probe, TimeSpan? timeout = null)
        where T : class =>
        (await UntilAsync<T?>(awaited, () => Task.FromResult(probe()), found => found is not null, timeout))!;

    private static string Describe<T>(T seen) => seen switch
    {
        null => "nothing",
        bool held => held ? "true" : "false (the condition did not hold)",
        string text => text.Length > 2000 ? text[..2000] + "…" : text,
        System.Collections.IEnumerable items and not string => "[" + string.Join(", ", items.Cast<object?>().Take(20)) + "]",
        _ => seen.ToString() ?? "",
    };
}
