using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Events.Web.Security;

// Text fields of a form may hold tabs and line breaks, never other control characters: a NUL
// pasted from a broken document used to fail the form reading inside the antiforgery check and
// show "Form expired", which is untrue and sends the person round in circles. Checked before
// antiforgery, for every form at once, so the person learns what is wrong and nothing is stored.
public static class FormText
{
    // Only posted forms are awaited here; everything else, live connections included, is handed on as
    // it is (see SecuritySetup.RefuseForgedForms).
    public static Task RefuseControlCharactersAsync(HttpContext context, RequestDelegate next) =>
        HttpMethods.IsPost(context.Request.Method) && context.Request.HasFormContentType
            ? RefuseControlCharactersInFormAsync(context, next)
            : next(context);

    private static async Task RefuseControlCharactersInFormAsync(HttpContext context, RequestDelegate next)
    {
        bool clean;
        try
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            clean = form.All(field => IsClean(field.Key) && field.Value.All(IsClean));
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException)
        {
            // The form reader refuses some of them itself (and bodies that are not forms).
            clean = false;
        }

        if (!clean)
        {
            await context.RequestServices.GetRequiredService<IMessagePages>()
                .WriteAsync(context, StatusCodes.Status400BadRequest, "message.control-character", "message.control-character-text", null);
            return;
        }

        await next(context);
    }

    public static bool IsClean(string? text) =>
        text is null || !text.Any(c => char.IsControl(c) && c is not ('\t' or '\n' or '\r'));
}
