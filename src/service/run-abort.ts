/** Why a run was aborted: passed as the AbortSignal's reason. */
export type RunAbortReason = 'cancelled' | 'shutdown';

export class RunAbort extends Error {
  constructor(readonly reason: RunAbortReason) {
    super(reason === 'cancelled' ? 'The analysis was cancelled' : 'The worker is shutting down');
    this.name = 'RunAbort';
  }
}

export function abortReason(signal: AbortSignal): RunAbortReason | undefined {
  return signal.aborted
    ? signal.reason instanceof RunAbort
      ? signal.reason.reason
      : 'cancelled'
    : undefined;
}
