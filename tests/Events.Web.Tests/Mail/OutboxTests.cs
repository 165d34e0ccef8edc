using Events.Grains.Storage;
using Events.Web.Mail;
using Microsoft.Extensions.Options;

namespace Events.Web.Tests.Mail;

public sealed class OutboxTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // A race by nature, so made as likely as it can be: a watcher reads each mail file the moment it
    // appears. When mails were written in place it read half-written ones; now a mail file appears
    // (by a rename) only once it is whole.
    [Fact]
    public async Task A_reader_of_the_outbox_never_sees_half_a_mail()
    {
        var folder = EventsHost.NewDataFolder();
        try
        {
            var outbox = new OutboxMailSender(Options.Create(new MailOptions()), Options.Create(new StorageOptions { DataFolder = folder }), TimeProvider.System);
            Directory.CreateDirectory(outbox.Folder);
            var partial = new List<string>();
            var seen = 0;
            using var watcher = new FileSystemWatcher(outbox.Folder, "*.eml") { NotifyFilter = NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.LastWrite };
            void Read(string path)
            {
                try
                {
                    var text = File.ReadAllText(path);
                    lock (partial)
                    {
                        seen++;
                        if (!text.EndsWith("\nend", StringComparison.Ordinal))
                        {
                            partial.Add($"{Path.GetFileName(path)}: {text.Length} characters");
                        }
                    }
                }
                catch (IOException)
                {
                }
            }

            watcher.Created += (_, e) => Read(e.FullPath);
            watcher.Changed += (_, e) => Read(e.FullPath);
            watcher.Renamed += (_, e) => Read(e.FullPath);
            watcher.EnableRaisingEvents = true;

            var body = new string('x', 4 << 20) + "\nend";
            for (var i = 0; i < 5; i++)
            {
                await outbox.SendAsync(new OutgoingMail($"reader{i}@example.org", "Large", body), Ct);
            }

            Assert.Equal(5, outbox.ReadAll().Count);
            Assert.Equal(5, Directory.GetFiles(outbox.Folder).Length);
            lock (partial)
            {
                TestContext.Current.TestOutputHelper?.WriteLine($"{seen} reads");
                Assert.Empty(partial);
            }
        }
        finally
        {
            EventsHost.DeleteDataFolder(folder);
        }
    }
}
