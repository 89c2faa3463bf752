using System.Runtime.InteropServices;

namespace EmailRelay.Cli.Service;

/// <summary>
/// <c>--hidden</c> and <c>--show=hidden</c> on Windows (reference §a: "no window, no message boxes"): this edition has
/// no tray icon, main window or message boxes, so the one window it can have is the console it was started in, which
/// these options hide (<c>GetConsoleWindow</c>, <c>ShowWindow(SW_HIDE)</c>). The other <c>--show</c> styles
/// (<c>popup</c>, <c>window</c>, <c>window,tray</c>, <c>tray</c>) name the original's GUI and leave the console as it is.
/// </summary>
internal static partial class ConsoleWindow
{
    /// <summary>The <c>--show</c> styles of the reference.</summary>
    public static readonly string[] Styles = ["hidden", "popup", "window", "window,tray", "tray"];

    /// <summary>Whether the options ask for no window.</summary>
    public static bool WantsHidden(bool hidden, string? show) => hidden || string.Equals(show, "hidden", StringComparison.Ordinal);

    /// <summary>Hides the console window on Windows when <paramref name="hide"/>; true if one was hidden.</summary>
    public static bool Apply(bool hide)
    {
        if (!hide || !OperatingSystem.IsWindows())
        {
            return false;
        }

        var window = GetConsoleWindow();
        if (window == 0)
        {
            return false;
        }

        _ = ShowWindow(window, 0); // returns whether it was visible before
        return true;
    }

    [LibraryImport("kernel32.dll")]
    private static partial nint GetConsoleWindow();

    [LibraryImport("user32.dll")]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool ShowWindow(nint window, int command);
}
