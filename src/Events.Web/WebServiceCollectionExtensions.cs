using Events.Web.Pitches;
using Events.Web.Agenda;
using Events.Web.Announcements;
using Events.Web.Audit;
using Events.Web.Live;
using Events.Web.Localization;
using Events.Web.Shared;
using Events.Web.Health;
using Events.Web.Mail;
using Events.Web.People;
using Events.Web.Security;
using Microsoft.Extensions.Options;
using Events.Web.Markdown;
using Events.Web.Matchmaking;
using Events.Web.Mixer;
using Events.Web.Offline;
using Events.Web.Questions;
using Events.Web.Tickets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Events.Web;

public static class WebServiceCollectionExtensions
{
    public static IServiceCollection AddEventsWeb(this IServiceCollection services)
    {
        services.AddRazorComponents();
        services.AddPageCompression();
        services.AddAgendaPageCache();
        services.AddEventsSecurity();
        services.AddSingleton<IMessagePages, MessagePages>();
        services.AddOptions<MailOptions>().BindConfiguration(MailOptions.Section);
        services.AddSingleton<OutboxMailSender>();
        services.AddSingleton<SmtpMailSender>();
        services.AddSingleton<IMailSender>(sp => string.IsNullOrWhiteSpace(sp.GetRequiredService<IOptions<MailOptions>>().Value.SmtpHost)
            ? sp.GetRequiredService<OutboxMailSender>()
            : sp.GetRequiredService<SmtpMailSender>());
        services.AddSingleton<SignInMailer>();
        services.AddSingleton<StaticAssetPaths>();
        services.AddSingleton<Text>();
        services.Configure<RequestLocalizationOptions>(Text.Configure);
        services.AddLive();
        services.AddOfflineCopies();
        services.AddSingleton<ILiveTopic, AnnouncementsTopic>();
        services.AddSingleton<IEventPagePart, AnnouncementsPart>();
        services.AddSingleton<ILiveTopic, AgendaTopic>();
        services.AddSingleton<ILiveTopic, MixerTopic>();
        services.AddSingleton<ILiveTopic, QuestionsTopic>();
        services.AddSingleton<ILiveTopic, PitchRoomTopic>();
        services.AddSingleton<ILiveTopic, Polls.PollsTopic>();
        services.AddSingleton<ILiveTopic, Matchmaking.MeetingsTopic>();
        services.AddHostedService<OutboxMailer>();
        services.AddSingleton<IPromisedMail, PitchMailer>();
        services.AddTickets();
        services.AddMatchmaking();
        services.AddSingleton<MarkdownRenderer>();
        services.AddSingleton<ComponentHtml>();
        services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage");
        return services;
    }
}
