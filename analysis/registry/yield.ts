/**
 * Yields to the event loop with a macrotask. A MessageChannel round trip, not setTimeout(0):
 * browsers clamp nested timeouts to 4 ms, which would add 4 ms to every checkpoint.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
