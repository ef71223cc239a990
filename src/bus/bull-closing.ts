/** How long shutdown lets BullMQ connections still connecting finish before closing them. */
export const CONNECTING_GRACE_MS = 2_000;

interface Connecting {
  waitUntilReady(): Promise<unknown>;
}

/**
 * BullMQ closes a connection that is still connecting by dropping its listeners
 * first; the failed connect then reports an 'error' nobody hears, an unhandled
 * rejection (taskforcesh/bullmq#3546). A queue or worker closed just after it
 * was created (a process stopped as it starts) hits it: let them finish
 * connecting first, for a moment at most (Redis may be unreachable).
 */
export async function untilConnected(
  connecting: readonly Connecting[],
  graceMs = CONNECTING_GRACE_MS,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, graceMs);
  });
  const ready = Promise.all(connecting.map((each) => each.waitUntilReady())).then(
    () => undefined,
    () => undefined,
  );
  await Promise.race([ready, grace]).finally(() => clearTimeout(timer));
}
