namespace EmailRelay.Events;

/// <summary>
/// A subscriber of <see cref="RelayEvents"/>. <see cref="OnEvent"/> runs synchronously on the producer's thread, in
/// the order the producer raised the events, possibly on several threads at once (one per connection or lane): it
/// must be quick, must not block and must not throw.
/// </summary>
public interface IRelayEventObserver
{
    /// <summary>Receives one event.</summary>
    void OnEvent(in RelayEvent relayEvent);
}
