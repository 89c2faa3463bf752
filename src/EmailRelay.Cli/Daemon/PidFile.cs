using System.Globalization;

namespace EmailRelay.Cli.Daemon;

/// <summary>
/// The <c>--pid-file</c>: written after daemonising (parent directory created if missing, group-open), removed
/// on a clean exit or a terminating signal. <see cref="Remove"/> is idempotent.
/// </summary>
internal sealed class PidFile
{
    private readonly string _path;
    private bool _written;

    /// <summary>Creates the pid file handle for an absolute path.</summary>
    public PidFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        _path = path;
    }

    /// <summary>The file's path.</summary>
    public string Path => _path;

    /// <summary>Writes <c>&lt;pid&gt;\n</c>, creating the parent directory (mode 0775) when missing.</summary>
    public void Write(int pid)
    {
        var directory = System.IO.Path.GetDirectoryName(_path);
        if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                    | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            }
        }

        File.WriteAllText(_path, pid.ToString(CultureInfo.InvariantCulture) + "\n");
        _written = true;
    }

    /// <summary>Deletes the file if this process wrote it; errors are ignored.</summary>
    public void Remove()
    {
        if (!_written)
        {
            return;
        }

        _written = false;
        try
        {
            File.Delete(_path);
        }
        catch (IOException)
        {
            // best effort at exit
        }
        catch (UnauthorizedAccessException)
        {
            // best effort at exit
        }
    }
}
