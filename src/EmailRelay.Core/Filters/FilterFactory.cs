using System.Diagnostics.CodeAnalysis;
using EmailRelay.Protocol.Filters;

namespace EmailRelay.Filters;

/// <summary>
/// The filter factory: builds every kind of reference §c (<c>exit:</c>, <c>sleepms:</c>, <c>net:</c>,
/// <c>spam:</c>, <c>spam-edit:</c>, <c>copy:</c>, <c>deliver:</c>, <c>split:</c>, <c>mx:</c>, <c>msgid:</c>, <c>dkim:</c>, <c>route:</c>,
/// external programs), empty specs and chains of them.
/// </summary>
internal sealed class FilterFactory : IFilterFactory
{
    private readonly TimeProvider _timeProvider;
    private readonly FilterEnvironment _environment;

    /// <summary>Creates the factory with default settings.</summary>
    /// <param name="timeProvider">The clock for <c>sleepms:</c> and timeouts.</param>
    public FilterFactory(TimeProvider timeProvider)
        : this(new FilterEnvironment { TimeProvider = timeProvider })
    {
    }

    /// <summary>Creates the factory for a unit's settings.</summary>
    public FilterFactory(FilterEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(environment.TimeProvider);
        _environment = environment;
        _timeProvider = environment.TimeProvider;
    }

    /// <inheritdoc />
    public bool TryCreate(IReadOnlyList<FilterSpec> chain, [NotNullWhen(true)] out IMessageFilter? filter, out string error)
    {
        ArgumentNullException.ThrowIfNull(chain);
        filter = null;
        error = "";
        var members = new List<IMessageFilter>(chain.Count);
        List<Dkim.DkimSigner>? dkimRun = null;
        string dkimName = "";
        foreach (var spec in chain)
        {
            if (spec.Kind == FilterKind.Dkim)
            {
                // Consecutive dkim: members become one filter: one read of the content, one rewrite.
                if (!TryCreateDkimSigner(spec, out var signer, out error))
                {
                    return false;
                }

                if (dkimRun is null)
                {
                    dkimRun = [];
                    dkimName = spec.Text;
                    members.Add(null!);
                }
                else
                {
                    dkimName = string.Concat(dkimName, ",", spec.Text);
                }

                dkimRun.Add(signer);
                members[^1] = new DkimFilter(dkimName, dkimRun, _timeProvider, _environment.Logger);
                continue;
            }

            dkimRun = null;
            IMessageFilter? member = spec.Kind switch
            {
                FilterKind.Exit => new ExitFilter(spec.Number),
                FilterKind.SleepMs => new SleepFilter(spec.Number, _timeProvider),
                FilterKind.MsgId => new MsgIdFilter(spec.Text, _environment.Domain, _timeProvider),
                FilterKind.Copy => new CopyFilter(spec.Text, spec.Flags, _environment.Logger),
                FilterKind.Net => new NetFilter(spec.Text, spec.Value, _environment.Timeout, _timeProvider),
                FilterKind.Spam or FilterKind.SpamEdit => new SpamFilter(spec.Text, spec.Value, spec.Kind == FilterKind.SpamEdit, _environment.Timeout, _timeProvider),
                FilterKind.Deliver => new DeliverFilter(spec.Text, spec.Flags, _environment.DeliveryDirectory),
                FilterKind.Split => new SplitFilter(spec.Text, spec.Flags, spec.Port),
                FilterKind.Mx => MxFilter.Create(spec, _timeProvider),
                FilterKind.Route => TryCreateRoute(spec, out error) is { } route ? route : null,
                FilterKind.File => new ExecutableFilter(spec.Text, _environment.ResolveAndCheckProgram(spec.Value), _environment.Timeout, _timeProvider, _environment.Logger),
                _ => throw new ArgumentOutOfRangeException(nameof(chain), spec.Kind, "unknown filter kind"),
            };
            if (member is null)
            {
                return false;
            }

            members.Add(member);
        }

        filter = members.Count switch
        {
            0 => EmptyFilter.Instance,
            1 => members[0],
            _ => new FilterChain(members),
        };
        return true;
    }

    private RouteFilter? TryCreateRoute(FilterSpec spec, out string error)
    {
        try
        {
            error = "";
            return new RouteFilter(spec.Text, RouteTableFile.Open(_environment.ResolveProgram(spec.Value), _timeProvider));
        }
        catch (FormatException ex)
        {
            error = string.Concat("invalid filter \"", spec.Text, "\": ", ex.Message);
            return null;
        }
    }

    private bool TryCreateDkimSigner(FilterSpec spec, [NotNullWhen(true)] out Dkim.DkimSigner? signer, out string error)
    {
        var settings = spec.Dkim ?? throw new ArgumentException("a dkim spec without settings", nameof(spec));
        var keyPath = _environment.ResolveProgram(settings.KeyPath);
        if (!Dkim.DkimSigner.TryCreate(settings, keyPath, out signer, out error))
        {
            error = string.Concat("invalid filter \"", spec.Text, "\": ", error);
            return false;
        }

        return true;
    }

    /// <summary>Parses an option value and builds its filter: the one call Hosting needs.</summary>
    /// <param name="specText">The <c>--filter</c> / <c>--client-filter</c> value; null or empty for none.</param>
    /// <param name="filter">The filter on success.</param>
    /// <param name="error">The parse or build error; empty on success.</param>
    public bool TryCreate(string? specText, [NotNullWhen(true)] out IMessageFilter? filter, out string error)
    {
        filter = null;
        return FilterSpecParser.TryParse(specText, out var chain, out error) && TryCreate(chain, out filter, out error);
    }
}
