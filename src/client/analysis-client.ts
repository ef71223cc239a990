import { io, type Socket } from 'socket.io-client';
import type { AnalysisEvent, AnalysisSnapshot, AnalysisStatus } from '../core/analysis.types';
import type { PipelineDescription } from '../core/pipelines/pipeline.registry';
import { ApiError, errorBody } from './api-error';
import { JobWatch, type WatchHost, type WatchOptions } from './job-watch';

export { ApiError, SubscribeError } from './api-error';
export type { ApiErrorBody, SubscribeErrorCode } from './api-error';
export type { WatchOptions } from './job-watch';

/**
 * The live connection, for a UI to show: `connecting` until the first
 * connect, `live` while connected, `reconnecting` after losing it (watches
 * resume by themselves), `closed` after `close()`.
 */
export type ConnectionState = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'closed';

export interface StartRequest {
  pipeline: string;
  input: Record<string, unknown>;
  /** A client-chosen id (`PUT`): repeating the same request returns the same job. */
  id?: string;
}

/**
 * How the client proves who it is: an API `key` (sent as `Authorization:
 * Bearer` and at the Socket.IO handshake), or a job's read-only `token` for a
 * client that must not hold a key (sent as `?token=` and with `subscribe`).
 * Neither is needed while the service runs with auth off.
 */
export interface Credentials {
  key?: string;
  token?: string;
}

/** A snapshot; `token` is set in its owner's copies while auth is on. */
export type JobSnapshot = AnalysisSnapshot & { token?: string };

export interface ListQuery {
  status?: AnalysisStatus;
  limit?: number;
}

/** After the service closed the connection on purpose, wait this long before connecting again. */
const SERVER_DISCONNECT_RETRY_MS = 1_000;

/**
 * The service's typed client, in the browser and in Node: REST through
 * `fetch`, live events through one Socket.IO connection (WebSocket only, so
 * no sticky sessions are needed) shared by every `watch`.
 */
export class AnalysisClient {
  private connection: Socket | undefined;
  private state: ConnectionState = 'idle';
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private readonly watches = new Set<JobWatch>();
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly host: WatchHost;

  /** `baseUrl` like `http://127.0.0.1:3000`; empty (the default) means the page's own origin. */
  constructor(
    private readonly baseUrl = '',
    private credentials: Credentials = {},
  ) {
    this.host = { socket: () => this.socket(), release: (watch) => this.release(watch) };
  }

  /** Uses other credentials from now on; an open live connection reconnects with them. */
  setCredentials(credentials: Credentials): void {
    this.credentials = credentials;
    // Also after a refused handshake, which Socket.IO does not retry by itself.
    if (this.connection && this.state !== 'closed') this.connection.disconnect().connect();
  }

  pipelines(): Promise<PipelineDescription[]> {
    return this.request('GET', '/pipelines');
  }

  start({ pipeline, input, id }: StartRequest): Promise<JobSnapshot> {
    return id === undefined
      ? this.request('POST', '/analyses', { pipeline, input })
      : this.request('PUT', `/analyses/${encodeURIComponent(id)}`, { pipeline, input });
  }

  /**
   * Profiles CSV text with `stats`, sent as it is (`text/csv`), not inside a JSON string: the
   * same job as `start({ pipeline: 'stats', input: { csv, bins } })`.
   */
  startCsv(csv: string, { bins, id }: { bins?: number; id?: string } = {}): Promise<JobSnapshot> {
    const query = `?pipeline=stats${bins === undefined ? '' : `&bins=${bins}`}`;
    const path = id === undefined ? '/analyses' : `/analyses/${encodeURIComponent(id)}`;
    return this.request(id === undefined ? 'POST' : 'PUT', `${path}${query}`, undefined, csv);
  }

  /** `token`: the job's token, instead of the client's credentials. */
  get(id: string, token?: string): Promise<JobSnapshot> {
    return this.request('GET', this.withToken(`/analyses/${encodeURIComponent(id)}`, token));
  }

  events(id: string, after = 0, token?: string): Promise<AnalysisEvent[]> {
    const path = `/analyses/${encodeURIComponent(id)}/events?after=${after}`;
    return this.request('GET', this.withToken(path, token));
  }

  list({ status, limit }: ListQuery = {}): Promise<AnalysisSnapshot[]> {
    const query = new URLSearchParams();
    if (status !== undefined) query.set('status', status);
    if (limit !== undefined) query.set('limit', String(limit));
    const search = query.toString();
    return this.request('GET', search ? `/analyses?${search}` : '/analyses');
  }

  cancel(id: string): Promise<AnalysisSnapshot> {
    return this.request('DELETE', `/analyses/${encodeURIComponent(id)}`);
  }

  /**
   * The job's events with `seq > after`, each once and in order, ending after
   * the terminal event. Survives dropped connections: on every reconnect it
   * subscribes again from the last `seq` it delivered. Throws `SubscribeError`
   * when the service refuses (unknown id, `after` past the job's end).
   */
  watch(id: string, options: WatchOptions = {}): AsyncIterableIterator<AnalysisEvent> {
    const token = options.token ?? this.credentials.token;
    const watch = new JobWatch(
      id,
      this.host,
      token === undefined ? options : { ...options, token },
    );
    this.watches.add(watch);
    watch.begin();
    return watch;
  }

  /** Opens the live connection now rather than at the first `watch`, e.g. to show its state. */
  connect(): void {
    this.socket();
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  /** Calls `listener` on every change of the connection state; returns how to stop. */
  onConnectionState(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Closes the live connection; every watch ends after what it has buffered. */
  close(): void {
    clearTimeout(this.retryTimer);
    // First: the socket's own disconnect must not read as "reconnecting".
    this.setState('closed');
    this.watches.forEach((watch) => watch.stop());
    this.connection?.close();
  }

  /** Connects on first use, so that a client used only for REST opens no socket. */
  private socket(): Socket {
    if (this.connection) return this.connection;
    const socket = io(`${this.baseUrl}/analyses`, {
      transports: ['websocket'],
      // Read at every (re)connection, so that setCredentials applies to the next one.
      auth: (send) => send(this.credentials.key ? { key: this.credentials.key } : {}),
      reconnectionDelay: 500,
      reconnectionDelayMax: 3_000,
    });
    socket.on('connect', () => {
      this.setState('live');
      this.watches.forEach((watch) => void watch.subscribe());
    });
    socket.on('disconnect', (reason) => {
      this.setState('reconnecting');
      // Socket.IO reconnects by itself after a lost connection, but not when the server ended it.
      if (reason === 'io server disconnect') {
        this.retryTimer = setTimeout(() => socket.connect(), SERVER_DISCONNECT_RETRY_MS);
      }
    });
    socket.on('analysis.event', (event: AnalysisEvent) => {
      this.watches.forEach((watch) => {
        if (watch.id === event.id) watch.receive(event);
      });
    });
    this.connection = socket;
    this.setState('connecting');
    return socket;
  }

  private release(watch: JobWatch): void {
    if (!this.watches.delete(watch)) return;
    const { connection } = this;
    const stillFollowed = [...this.watches].some((other) => other.id === watch.id);
    // The server keeps one subscription per socket and job: leave it to the other watches.
    if (!stillFollowed && connection?.connected) connection.emit('unsubscribe', { id: watch.id });
  }

  private setState(state: ConnectionState): void {
    if (state === this.state || this.state === 'closed') return;
    this.state = state;
    this.stateListeners.forEach((listener) => listener(state));
  }

  /** A job read carries a token as `?token=`: the only form an EventSource or a link can carry. */
  private withToken(path: string, token = this.credentials.token): string {
    if (token === undefined) return path;
    return `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
  }

  /** A JSON request; with `csv`, that text is the body instead, as `text/csv`. */
  private async request<T>(method: string, path: string, body?: unknown, csv?: string): Promise<T> {
    const { key } = this.credentials;
    const type =
      csv !== undefined ? 'text/csv' : body !== undefined ? 'application/json' : undefined;
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(type ? { 'content-type': type } : {}),
      },
      body: csv ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new ApiError(response.status, errorBody(response.status, response.statusText, text));
    }
    return JSON.parse(text) as T;
  }
}
