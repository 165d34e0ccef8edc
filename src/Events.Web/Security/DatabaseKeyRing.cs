using System.Xml.Linq;
using Events.Grains.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection;

namespace Events.Web.Security;

// The data-protection key ring in the installation's database (migration 0003), so that every
// silo signs and reads cookies and antiforgery tokens with the same keys. ASP.NET Core calls the
// repository synchronously and rarely (start-up, key rotation), hence plain synchronous ADO.NET.
public sealed class DatabaseKeyRing(SqlDialect dialect) : IXmlRepository
{
    public const string ApplicationName = "Events";

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = dialect.CreateConnection();
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = dialect.Query("read_data_protection_keys");
        using var reader = command.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read())
        {
            elements.Add(XElement.Parse(reader.GetString(0)));
        }

        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var connection = dialect.CreateConnection();
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = dialect.Query("write_data_protection_key");
        AddParameter(command, "@friendly_name", friendlyName);
        AddParameter(command, "@xml", element.ToString(SaveOptions.DisableFormatting));
        command.ExecuteNonQuery();
    }

    private static void AddParameter(System.Data.Common.DbCommand command, string name, string value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    // One key ring per installation, whichever machine or folder a silo runs from.
    public static void AddTo(IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName(ApplicationName);
        services.AddOptions<KeyManagementOptions>()
            .Configure<SqlDialect>((options, dialect) => options.XmlRepository = new DatabaseKeyRing(dialect));
    }
}
