using System.Net;
using EmailRelay.Protocol.Sasl;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Auth;

/// <summary>
/// A secrets file as an <see cref="ISecretLookup"/>: loaded at startup (errors are fatal), then re-read
/// when its modification time changes, checked at most once a second. A reload that fails keeps the
/// previous contents and logs a warning.
/// </summary>
internal sealed class SecretsFile : ISecretLookup
{
    private readonly string _path;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private SecretsTable _table;
    private DateTime _mtime;
    private long _lastCheck;

    private SecretsFile(string path, TimeProvider time, ILogger logger, SecretsTable table, DateTime mtime)
    {
        _path = path;
        _time = time;
        _logger = logger;
        _table = table;
        _mtime = mtime;
        _lastCheck = time.GetTimestamp();
    }

    /// <summary>The file's path.</summary>
    public string Path => _path;

    /// <summary>Loads the file; throws <see cref="SecretsFileException"/> if it cannot be read or parsed.</summary>
    public static SecretsFile Load(string path, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        var (table, mtime) = Read(path, logger);
        return new SecretsFile(path, time, logger, table, mtime);
    }

    /// <summary>The current contents, reloading first if the file changed (checked at most once a second).</summary>
    public SecretsTable Current
    {
        get
        {
            lock (_lock)
            {
                long now = _time.GetTimestamp();
                if (_time.GetElapsedTime(_lastCheck, now) >= TimeSpan.FromSeconds(1))
                {
                    _lastCheck = now;
                    Refresh();
                }

                return _table;
            }
        }
    }

    /// <inheritdoc/>
    public bool HasServerSecrets => Current.HasServerSecrets;

    /// <inheritdoc/>
    public bool IsPam => false;

    /// <inheritdoc/>
    public IReadOnlyCollection<string> ServerSecretTypes => Current.ServerSecretTypes;

    /// <inheritdoc/>
    public bool HasClientSecrets => Current.HasClientSecrets;

    /// <inheritdoc/>
    public Secret? FindServerSecret(string type, string id) => Current.FindServerSecret(type, id);

    /// <inheritdoc/>
    public bool CheckPassword(string id, ReadOnlySpan<byte> password) => Current.CheckPassword(id, password);

    /// <inheritdoc/>
    public TrustedPeer? FindTrusted(IPAddress address) => Current.FindTrusted(address);

    /// <inheritdoc/>
    public IReadOnlyList<Secret>? FindClientSecrets(string selector) => Current.FindClientSecrets(selector);

    private static (SecretsTable Table, DateTime Mtime) Read(string path, ILogger logger)
    {
        string text;
        DateTime mtime;
        try
        {
            mtime = File.GetLastWriteTimeUtc(path);
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SecretsFileException("cannot read secrets file: " + path + ": " + ex.Message, ex);
        }

        if (!File.Exists(path))
        {
            throw new SecretsFileException("cannot read secrets file: " + path);
        }

        var warnings = new List<string>();
        SecretsTable table = SecretsParser.Parse(text, path, warnings);
        foreach (string warning in warnings)
        {
            Log.SecretsWarning(logger, warning);
        }

        return (table, mtime);
    }

    private void Refresh()
    {
        DateTime mtime;
        try
        {
            mtime = File.GetLastWriteTimeUtc(_path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return;
        }

        if (mtime == _mtime)
        {
            return;
        }

        try
        {
            var (table, newMtime) = Read(_path, _logger);
            _table = table;
            _mtime = newMtime;
            Log.SecretsReloaded(_logger, _path);
        }
        catch (SecretsFileException ex)
        {
            _mtime = mtime;
            Log.SecretsReloadFailed(_logger, ex.Message);
        }
    }
}
