/** Why a run was aborted: passed as the AbortSignal's reason. */
export type RunAbortReason = 'cancelled' | 'shutdown';

export class RunAbort extends Error {
  constructor(readonly reason: RunAbortReason) {
    super(reason === 'cancelled' ? 'The analysis was cancelled' : 'The worker is shutting down');
    this.name = 'RunAbort';
  }
}

/** Why a run was aborted with `reason`: a RunAbort says; anything else is a cancellation. */
export function abortReason(reason: unknown): RunAbortReason {
  return reason instanceof RunAbort ? reason.reason : 'cancelled';
}
