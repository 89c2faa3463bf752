using System.Globalization;
using System.Text;

namespace EmailRelay.Cli.Logging;

/// <summary>
/// The <c>--log-file</c> output: appends lines to a file whose name may contain <c>%d</c> (YYYYMMDD) and <c>%h</c>
/// (HH), both local time; the file is reopened when the expanded name changes. Not thread-safe: the provider serialises.
/// </summary>
internal sealed class LogFileWriter : IDisposable
{
    private readonly string _pattern;
    private string? _currentPath;
    private FileStream? _stream;

    /// <summary>Creates the writer; nothing is opened until the first line.</summary>
    public LogFileWriter(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        _pattern = pattern;
    }

    /// <summary>The file name for a local time.</summary>
    public string ExpandName(DateTimeOffset localTime) => _pattern
        .Replace("%d", localTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("%h", localTime.ToString("HH", CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <summary>
    /// Opens (creating if needed) the file for a local time. Called at startup, so the file is opened with the
    /// starting user's rights, before any switch to <c>--user</c>. I/O errors are swallowed, as in <see cref="Write"/>.
    /// </summary>
    public void Open(DateTimeOffset localTime)
    {
        try
        {
            EnsureOpen(localTime);
        }
        catch (IOException)
        {
            _stream = null;
        }
        catch (UnauthorizedAccessException)
        {
            _stream = null;
        }
    }

    /// <summary>Appends one line (a newline is added) and flushes. I/O errors are swallowed: logging never kills the relay.</summary>
    public void Write(DateTimeOffset localTime, string line)
    {
        try
        {
            var stream = EnsureOpen(localTime);
            var bytes = Encoding.UTF8.GetBytes(line + "\n");
            stream.Write(bytes);
            stream.Flush();
        }
        catch (IOException)
        {
            _stream?.Dispose();
            _stream = null;
        }
        catch (UnauthorizedAccessException)
        {
            _stream = null;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _stream?.Dispose();

    private FileStream EnsureOpen(DateTimeOffset localTime)
    {
        var path = ExpandName(localTime);
        if (!string.Equals(path, _currentPath, StringComparison.Ordinal) || _stream is null)
        {
            _stream?.Dispose();
            _stream = null;
            _currentPath = path;
            _stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        }

        return _stream;
    }
}
