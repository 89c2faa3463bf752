using EmailRelay.Protocol.Routing;

namespace EmailRelay.Filters;

/// <summary>
/// A route table file (<see cref="RouteTable"/>): read at startup (an error there is fatal), then re-read when its
/// modification time changes, checked at most once a second, as the secrets file is; a bad new version keeps the
/// previous rules. Thread-safe. One instance per path is shared by the <c>route:</c> filter and the forwarder's
/// rate limits (<see cref="Open"/>).
/// </summary>
internal sealed class RouteTableFile
{
    private static readonly Dictionary<string, RouteTableFile> s_open = new(StringComparer.Ordinal);
    private readonly string _path;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private RouteTable _table;
    private DateTime _mtime;
    private long _lastCheck;

    private RouteTableFile(string path, TimeProvider time, RouteTable table, DateTime mtime)
    {
        _path = path;
        _time = time;
        _table = table;
        _mtime = mtime;
        _lastCheck = time.GetTimestamp();
    }

    /// <summary>The path.</summary>
    public string Path => _path;

    /// <summary>The current rules, re-read first if the file changed.</summary>
    public RouteTable Current
    {
        get
        {
            lock (_lock)
            {
                var now = _time.GetTimestamp();
                if (_time.GetElapsedTime(_lastCheck, now) >= TimeSpan.FromSeconds(1))
                {
                    _lastCheck = now;
                    try
                    {
                        var mtime = File.GetLastWriteTimeUtc(_path);
                        if (mtime != _mtime)
                        {
                            _mtime = mtime;
                            _table = Read(_path).Table;
                        }
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
                    {
                        // The previous rules stay until the file is good again.
                    }
                }

                return _table;
            }
        }
    }

    /// <summary>Opens <paramref name="path"/> (absolute), or returns the instance already open for it.</summary>
    /// <exception cref="FormatException">The file cannot be read or parsed: the message says why.</exception>
    public static RouteTableFile Open(string path, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(path);
        lock (s_open)
        {
            if (s_open.TryGetValue(path, out var open))
            {
                return open;
            }

            var (table, mtime) = Read(path);
            var file = new RouteTableFile(path, time, table, mtime);
            s_open[path] = file;
            return file;
        }
    }

    private static (RouteTable Table, DateTime Mtime) Read(string path)
    {
        try
        {
            var mtime = File.GetLastWriteTimeUtc(path);
            return (RouteTable.Parse(File.ReadAllText(path), path), mtime);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new FormatException("cannot read route table: " + path + ": " + ex.Message, ex);
        }
    }
}
