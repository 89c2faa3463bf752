namespace EmailRelay.Testing;

/// <summary>A fresh temporary directory for one test, deleted on dispose.</summary>
public sealed class TestDirectory : IDisposable
{
    /// <summary>Creates a new empty directory under the system temp directory.</summary>
    public TestDirectory()
    {
        Path = Directory.CreateTempSubdirectory("emailrelay-test-").FullName;
    }

    /// <summary>The directory's absolute path.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a child process may still hold a file.
        }
    }
}
