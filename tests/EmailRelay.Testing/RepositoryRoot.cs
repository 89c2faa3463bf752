namespace EmailRelay.Testing;

/// <summary>The checkout the tests run from: the nearest directory above the test assembly that holds <c>EmailRelay.slnx</c>.</summary>
public static class RepositoryRoot
{
    /// <summary>The checkout's directory, or null when the tests run outside one.</summary>
    public static string? Find()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(System.IO.Path.Combine(directory.FullName, "EmailRelay.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName;
    }

    /// <summary>The checkout's directory; throws when the tests run outside one.</summary>
    public static string Path => Find() ?? throw new DirectoryNotFoundException("EmailRelay.slnx not found above " + AppContext.BaseDirectory);
}
