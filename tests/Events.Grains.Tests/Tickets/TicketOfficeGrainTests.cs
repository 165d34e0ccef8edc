using Events.Grains.Agenda;
using Events.Grains.People;
using Events.Grains.Tickets;

namespace Events.Grains.Tests.Tickets;

public sealed class TicketOfficeGrainTests
{
    private const string Organiser = "organiser@example.org";
    private static readonly DateTimeOffset T0 = new(2027, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private static async Task<(IGrainFactory Grains, ITicketOfficeGrain Office, string Slug)> StartAsync(TestDatabase db, ManualClock clock, int? capacity = null)
    {
        var cluster = await db.StartClusterAsync(new ClusterSetup { Clock = clock });
        var slug = $"tickets-{Guid.NewGuid():N}";
        await cluster.Client.GetGrain<IAgendaGrain>(slug).CreateAsync(Organiser, new EventDetails(
            "Pitch day", "", "Africa/Kampala", T0.AddDays(30), T0.AddDays(30).AddHours(8), ["en", "fr"], EventVisibility.Listed, capacity));
        return (cluster.Client, cluster.Client.GetGrain<ITicketOfficeGrain>(slug), slug);
    }

    private static TicketTypeInput Type(string name, int quantity, long price = 0, TicketAccess access = TicketAccess.Open, string? code = null) =>
        new(null, name, price, price == 0 ? null : "eur", quantity, null, null, EventRole.Attendee, access, code, AttendeeMayCancel: true);

    private static RegistrationRequest Person(string typeId, string email, string? code = null) =>
        new(typeId, new Registrant("Amina Diallo", email, "City of Bizerte", "Bizerte", "Tunisia", "fr", "", false), code);

    [Theory]
    [InlineData(TestDatabase.Sqlite, 0L)]
    [InlineData(TestDatabase.Sqlite, 2500L)]
    [InlineData(TestDatabase.Postgres, 0L)]
    [InlineData(TestDatabase.Postgres, 2500L)]
    public async Task Twenty_concurrent_buyers_for_the_last_five_seats_get_exactly_five_and_the_others_hear_sold_out(string provider, long price)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var clock = new ManualClock(T0);
        var (_, office, _) = await StartAsync(db, clock, capacity: 8);
        var type = await office.SaveTicketTypeAsync(Organiser, Type("General", 100, price));
        for (var i = 0; i < 3; i++)
        {
            await office.RegisterAsync(Person(type.Id, $"early{i}@example.org"));
        }

        var attempts = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            try
            {
                return (Order: await office.RegisterAsync(Person(type.Id, $"buyer{i}@example.org")), Problem: (Problem?)null);
            }
            catch (ValidationFailedException ex)
            {
                return (Order: (Order?)null, Problem: (Problem?)ex.Problem);
            }
        }));

        Assert.Equal(5, attempts.Count(a => a.Order is not null));
        Assert.All(attempts.Where(a => a.Order is null), a => Assert.Equal(Problem.TicketSoldOut, a.Problem));
        var view = await office.GetAsync();
        Assert.Equal(8, view.SeatsTaken);
        Assert.Equal(SaleState.SoldOut, view.Types.Single().State);

        if (price > 0)
        {
            // Nobody paid: the holds lapse on the grain's clock, and the seats are for sale again.
            clock.Advance(TicketOfficeGrain.HoldFor + TimeSpan.FromSeconds(1));
            view = await office.GetAsync();
            Assert.Equal(0, view.SeatsTaken);
            Assert.Equal(SaleState.OnSale, view.Types.Single().State);
            Assert.All(view.Orders, o => Assert.Equal(OrderStatus.Released, o.Status));
            await office.RegisterAsync(Person(type.Id, "late@example.org"));
        }
    }

    [Fact]
    public async Task The_same_Stripe_event_applied_ten_times_at_once_issues_one_ticket()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (_, office, _) = await StartAsync(db, new ManualClock(T0));
        var type = await office.SaveTicketTypeAsync(Organiser, Type("Paid", 10, 1500));
        var order = await office.RegisterAsync(Person(type.Id, "payer@example.org"));
        var notice = new StripeNotice("evt_1", StripeNoticeKind.CheckoutCompleted, order.Id, "pi_1");

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => office.ApplyStripeAsync(notice)));

        Assert.Equal(1, results.Count(r => r.Outcome == StripeOutcome.Applied));
        Assert.Equal(9, results.Count(r => r.Outcome == StripeOutcome.AlreadyProcessed));
        var view = await office.GetAsync();
        Assert.Equal(OrderStatus.Confirmed, view.Orders.Single().Status);
        Assert.Equal(1, view.Types.Single().Sold);
    }

    [Fact]
    public async Task Expired_before_completed_still_issues_the_ticket_while_a_seat_is_free_and_refunds_when_none_is()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (_, office, _) = await StartAsync(db, new ManualClock(T0));
        var type = await office.SaveTicketTypeAsync(Organiser, Type("Paid", 1, 1500));
        var first = await office.RegisterAsync(Person(type.Id, "first@example.org"));

        await office.ApplyStripeAsync(new StripeNotice("evt_exp1", StripeNoticeKind.CheckoutExpired, first.Id, null));
        var second = await office.RegisterAsync(Person(type.Id, "second@example.org"));
        await office.ApplyStripeAsync(new StripeNotice("evt_done1", StripeNoticeKind.CheckoutCompleted, first.Id, "pi_first"));
        await office.ApplyStripeAsync(new StripeNotice("evt_done2", StripeNoticeKind.CheckoutCompleted, second.Id, "pi_second"));

        var late = await office.GetOrderAsync(first.Id);
        Assert.Equal(OrderStatus.Cancelled, late!.Status);
        Assert.True(late.RefundDue);
        Assert.Equal(OrderStatus.Confirmed, (await office.GetOrderAsync(second.Id))!.Status);
        Assert.Equal(1, (await office.GetAsync()).Types.Single().Sold);
    }

    [Fact]
    public async Task A_refund_parked_before_its_payment_is_known_cancels_the_ticket_once_the_payment_arrives()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (grains, office, slug) = await StartAsync(db, new ManualClock(T0));
        var type = await office.SaveTicketTypeAsync(Organiser, Type("Paid", 5, 1500));
        var order = await office.RegisterAsync(Person(type.Id, "refunded@example.org"));
        var payment = grains.GetGrain<IStripePaymentGrain>("pi_early_refund");

        Assert.Null(await payment.RouteAsync(new StripeNotice("evt_refund", StripeNoticeKind.ChargeRefunded, "", "pi_early_refund")));
        await office.ApplyStripeAsync(new StripeNotice("evt_paid", StripeNoticeKind.CheckoutCompleted, order.Id, "pi_early_refund"));
        foreach (var parked in await payment.LinkAsync(new PaymentLink(slug, order.Id)))
        {
            await office.ApplyStripeAsync(parked);
        }

        // A retried link hands the parked refund over again; the office ignores it.
        foreach (var parked in await payment.LinkAsync(new PaymentLink(slug, order.Id)))
        {
            Assert.Equal(StripeOutcome.AlreadyProcessed, (await office.ApplyStripeAsync(parked)).Outcome);
        }

        var view = await office.GetAsync();
        Assert.Equal(OrderStatus.Refunded, view.Orders.Single().Status);
        Assert.Equal(0, view.SeatsTaken);
    }

    [Fact]
    public async Task Invitation_code_and_approval_tickets_and_a_cancelled_event_sells_nothing()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (grains, office, slug) = await StartAsync(db, new ManualClock(T0));
        var team = await office.SaveTicketTypeAsync(Organiser, Type("City team", 10, access: TicketAccess.InvitationCode, code: "KUMASI-2027") with { });
        var investor = await office.SaveTicketTypeAsync(Organiser, Type("Investor pass", 10, access: TicketAccess.Approval));

        var wrong = await Assert.ThrowsAsync<ValidationFailedException>(() => office.RegisterAsync(Person(team.Id, "team@kumasi.example.org", "nope")));
        Assert.Equal(Problem.TicketCodeWrong, wrong.Problem);
        Assert.Equal(OrderStatus.Confirmed, (await office.RegisterAsync(Person(team.Id, "team@kumasi.example.org", "KUMASI-2027"))).Status);
        var pending = await office.RegisterAsync(Person(investor.Id, "fund@example.org"));
        Assert.Equal(OrderStatus.AwaitingApproval, pending.Status);
        Assert.Equal(OrderStatus.Confirmed, (await office.ActAsync(Organiser, pending.Id, OrderAction.Approve)).Status);

        await grains.GetGrain<IAgendaGrain>(slug).CancelAsync(Organiser, "Venue flooded");
        var closed = await Assert.ThrowsAsync<ValidationFailedException>(() => office.RegisterAsync(Person(team.Id, "late@kumasi.example.org", "KUMASI-2027")));
        Assert.Equal(Problem.TicketsClosed, closed.Problem);
        Assert.Equal(2, await office.CancelAllAsync(Organiser, "Venue flooded"));
        Assert.Equal(0, await office.CancelAllAsync(Organiser, "Venue flooded"));
    }

    [Theory]
    [InlineData("", "a@example.org", Problem.RegistrationNameRequired)]
    [InlineData("Amina\u0007", "a@example.org", Problem.RegistrationControlCharacters)]
    [InlineData("Amina", "not an address", Problem.EmailInvalid)]
    public async Task Bad_registrations_are_refused_and_nothing_is_stored(string name, string email, Problem expected)
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var (_, office, _) = await StartAsync(db, new ManualClock(T0));
        var type = await office.SaveTicketTypeAsync(Organiser, Type("General", 10));

        var refused = await Assert.ThrowsAsync<ValidationFailedException>(() => office.RegisterAsync(
            new RegistrationRequest(type.Id, new Registrant(name, email, "", "", "", "en", "", false), null)));
        var tooLong = await Assert.ThrowsAsync<ValidationFailedException>(() => office.RegisterAsync(
            new RegistrationRequest(type.Id, new Registrant(new string('x', 10_000), "b@example.org", "", "", "", "en", "", false), null)));

        Assert.Equal(expected, refused.Problem);
        Assert.Equal(Problem.RegistrationFieldTooLong, tooLong.Problem);
        Assert.Empty((await office.GetAsync()).Orders);
    }
}
