using System.Net;

namespace EmailRelay.Net;

/// <summary>
/// One socket to listen on: an IP end point, a unix socket path (<see cref="System.Net.Sockets.UnixDomainSocketEndPoint"/>),
/// or an inherited descriptor (<c>fd#N</c>, <see cref="InheritedDescriptor"/> set and <see cref="EndPoint"/> null).
/// </summary>
/// <param name="Service">The service served on it.</param>
/// <param name="EndPoint">The address to bind, or null for an inherited descriptor.</param>
/// <param name="InheritedDescriptor">The inherited listening socket's descriptor number, for <c>fd#N</c>.</param>
/// <param name="IsDefault">True for the implicit <c>0.0.0.0</c>/<c>::</c> pair: a host without IPv6 skips <c>::</c> silently.</param>
public sealed record ListenEndpoint(ListenService Service, EndPoint? EndPoint, int? InheritedDescriptor = null, bool IsDefault = false)
{
    /// <summary>The text E-MailRelay logs for the address, e.g. <c>127.0.0.1:25</c>, <c>::.25</c>, <c>/run/x.s</c> or <c>fd#3</c>.</summary>
    public string DisplayText =>
        InheritedDescriptor is int fd ? "fd#" + fd.ToString(System.Globalization.CultureInfo.InvariantCulture) : EndPointText.Format(EndPoint);
}
