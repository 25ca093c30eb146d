using Datakeen.Portal.Auth.Sessions;
using Microsoft.AspNetCore.Components;

namespace Datakeen.Portal.Components.Auth;

// When the key service answers that the session ended, or that the action needs a recent sign-in
// (step-up), the page goes through the provider and comes back to itself, where the user clicks again.
public static class SignInRedirect
{
    public static void Send(NavigationManager navigation, bool reauthenticate)
    {
        var here = "/" + navigation.ToBaseRelativePath(navigation.Uri);
        navigation.NavigateTo(reauthenticate ? StepUp.ReauthenticationUrl(here) : StepUp.SignInUrl(here), forceLoad: true);
    }
}
