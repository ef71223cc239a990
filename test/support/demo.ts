/** The event types of a `demo` job that runs to its end in one attempt, in order. */
export const DEMO_EVENT_TYPES = ['queued', 'started', 'progress', 'progress', 'completed'];
