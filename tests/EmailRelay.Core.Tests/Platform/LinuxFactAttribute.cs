namespace EmailRelay.Core.Tests.Platform;

/// <summary>A fact that calls Linux itself: reported skipped, with the reason, elsewhere.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when not on Linux.</summary>
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "calls the Linux file layer, which only runs on Linux";
        }
    }
}
