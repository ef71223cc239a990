import { type AnalysisClient, ApiError } from '../client/analysis-client';
import { h, replace } from './dom';
import { shareLink } from './access';
import { errorPanel } from './error-panel';
import { formatClock, formatDuration, formatPercent } from './format';
import { genericView } from './generic-view';
import { applyJobEvent, emptyJob, isOver, type JobView, stepDuration } from './job-model';
import { statsOf } from './stats-model';
import { statsView } from './stats-view';

/** Steps of a pipeline by name, from `GET /pipelines`. */
export type StepsOf = (pipeline: string) => readonly string[];

/**
 * One analysis in full: header with cancel, progress, step timeline, event
 * log and results, rebuilt from its events as they arrive. Following another
 * analysis stops following this one.
 */
export class JobDetail {
  private job: JobView | undefined;
  private following: AbortController | undefined;
  private ticker: ReturnType<typeof setInterval> | undefined;
  /** What the results were last drawn from: redrawn only when a step adds to them. */
  private resultsKey = '';
  private cancelling = false;
  private readonly parts = {
    title: h('div', {}),
    /** Made once and kept: one replaced at each event could swallow a click. */
    cancel: h(
      'button',
      { class: 'button danger cancel', type: 'button', onclick: () => void this.cancel() },
      'Cancel',
    ),
    banner: h(
      'div',
      { class: 'banner', hidden: true },
      'Connection lost: reconnecting… Events resume where they stopped.',
    ),
    progress: h('div', { class: 'progress-block' }),
    problems: h('div', { class: 'problems' }),
    /** What the API answered to this page's own request (a refused cancel), as it said it. */
    apiError: h('div', { class: 'api-error-slot' }),
    timeline: h('ol', { class: 'timeline' }),
    log: h('tbody', {}),
    results: h('div', { class: 'results' }),
    /** A read-only link for someone without a key, when the service gave this page the token. */
    share: h('div', { class: 'share' }),
  };

  constructor(
    private readonly root: HTMLElement,
    private readonly client: AnalysisClient,
    private readonly stepsOf: StepsOf,
    /** A shared link's view: no cancel (a token cannot cancel). */
    private readonly options: { readOnly: boolean },
  ) {
    this.parts.cancel.hidden = options.readOnly;
    client.onConnectionState((state) => {
      this.parts.banner.hidden = state !== 'reconnecting';
    });
    this.showEmpty();
  }

  showEmpty(): void {
    this.stop();
    replace(
      this.root,
      h(
        'div',
        { class: 'empty' },
        h('h2', {}, 'No analysis selected'),
        h('p', {}, 'Start one on the left, or pick a recent one to watch it live.'),
      ),
    );
  }

  async show(id: string): Promise<void> {
    this.stop();
    const following = new AbortController();
    this.following = following;
    replace(this.root, h('div', { class: 'empty' }, h('p', {}, 'Loading…')));
    try {
      const snapshot = await this.client.get(id);
      if (following.signal.aborted) return;
      this.job = emptyJob(snapshot, this.stepsOf(snapshot.pipeline));
      this.layout();
      this.showShareLink(id, snapshot.token);
      this.ticker = setInterval(() => this.tick(), 250);
      for await (const event of this.client.watch(id, { signal: following.signal })) {
        this.job = applyJobEvent(this.job, event);
        this.render();
      }
    } catch (error) {
      if (!following.signal.aborted) this.showProblem(error);
    }
  }

  private showShareLink(id: string, token: string | undefined): void {
    if (!token || this.options.readOnly) return replace(this.parts.share);
    const link = shareLink(id, token);
    const field = h('input', {
      type: 'text',
      readonly: true,
      value: link,
      'aria-label': 'Share link',
    });
    replace(
      this.parts.share,
      h('span', {}, 'Read-only link for someone without a key:'),
      field,
      h(
        'button',
        {
          class: 'button ghost',
          type: 'button',
          onclick: () => {
            field.select();
            void navigator.clipboard?.writeText(link);
          },
        },
        'Copy',
      ),
    );
  }

  private stop(): void {
    this.following?.abort();
    clearInterval(this.ticker);
    this.job = undefined;
    this.resultsKey = '';
    this.cancelling = false;
  }

  private layout(): void {
    const { parts } = this;
    replace(parts.problems);
    replace(parts.apiError);
    replace(parts.log);
    replace(parts.results);
    replace(
      this.root,
      h('div', { class: 'detail-header' }, parts.title, parts.cancel),
      parts.share,
      parts.banner,
      parts.progress,
      parts.apiError,
      parts.problems,
      h(
        'div',
        { class: 'split' },
        h('section', { class: 'card' }, h('h3', {}, 'Steps'), parts.timeline),
        h(
          'section',
          { class: 'card' },
          h('h3', {}, 'Events'),
          h(
            'div',
            { class: 'event-log' },
            h(
              'table',
              {},
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ['Seq', 'Type', 'Progress', 'Step', 'Time'].map((name) => h('th', {}, name)),
                ),
              ),
              parts.log,
            ),
          ),
        ),
      ),
      parts.results,
    );
    parts.banner.hidden = this.client.connectionState !== 'reconnecting';
    this.render();
  }

  private render(): void {
    const job = this.job;
    if (!job) return;
    this.renderHeader(job);
    this.renderProgress(job);
    this.renderTimeline(job);
    this.renderLog(job);
    this.renderProblems(job);
    this.renderResults(job);
  }

  /** Only the running step's clock moves between events. */
  private tick(): void {
    if (this.job && !isOver(this.job.status)) this.renderTimeline(this.job);
  }

  private renderHeader(job: JobView): void {
    this.parts.cancel.disabled = isOver(job.status) || this.cancelling;
    replace(
      this.parts.title,
      h(
        'h2',
        {},
        h('span', { class: 'pipeline' }, job.pipeline),
        h('span', { class: `status-badge ${job.status}`, 'data-status': job.status }, job.status),
      ),
      h(
        'p',
        { class: 'meta' },
        h('code', { 'data-job-id': job.id }, job.id),
        ` · created ${new Date(job.createdAt).toLocaleString()}`,
        job.attempt > 0 && ` · attempt ${job.attempt}`,
      ),
    );
  }

  private renderProgress(job: JobView): void {
    replace(
      this.parts.progress,
      h(
        'div',
        {
          class: `progress ${job.status}`,
          role: 'progressbar',
          'aria-valuemin': 0,
          'aria-valuemax': 100,
          'aria-valuenow': job.progress,
        },
        h('div', { class: 'fill', style: `width:${job.progress}%` }),
      ),
      h(
        'div',
        { class: 'progress-label' },
        h('strong', {}, formatPercent(job.progress)),
        h('span', {}, progressNote(job)),
      ),
    );
  }

  private renderTimeline(job: JobView): void {
    const now = Date.now();
    replace(
      this.parts.timeline,
      job.steps.map((step, index) => {
        const duration = stepDuration(step, now);
        return h(
          'li',
          { class: step.state, 'data-step': step.name, 'data-state': step.state },
          h(
            'span',
            { class: 'marker' },
            step.state === 'done' ? '✓' : step.state === 'failed' ? '✕' : String(index + 1),
          ),
          h('span', { class: 'name' }, step.name),
          h('span', { class: 'state' }, step.state),
          h('span', { class: 'duration' }, duration === undefined ? '' : formatDuration(duration)),
        );
      }),
    );
  }

  private renderLog(job: JobView): void {
    const rows = this.parts.log.children.length;
    // Events only ever append: add the new rows, keep the rest.
    for (const event of job.events.slice(rows)) {
      this.parts.log.append(
        h(
          'tr',
          { 'data-seq': event.seq, 'data-type': event.type },
          h('td', { class: 'num' }, event.seq),
          h('td', {}, event.type),
          h('td', { class: 'num' }, formatPercent(event.progress)),
          h('td', {}, event.step ?? ''),
          h('td', { class: 'num' }, formatClock(event.at)),
        ),
      );
    }
    if (job.events.length > rows) {
      const log = this.parts.log.closest('.event-log');
      if (log) log.scrollTop = log.scrollHeight;
    }
  }

  private renderProblems(job: JobView): void {
    replace(
      this.parts.problems,
      job.retries.map((retry) =>
        h(
          'div',
          { class: 'notice warning' },
          `Attempt ${retry.attempt} failed at ${formatClock(retry.at)}: ${retry.error.message}`,
          retry.error.code && h('code', {}, retry.error.code),
          ' — it will run again.',
        ),
      ),
      job.error &&
        h(
          'div',
          { class: 'notice error job-error' },
          h('strong', {}, 'Failed: '),
          job.error.message,
          job.error.code && h('code', {}, job.error.code),
        ),
    );
  }

  private renderResults(job: JobView): void {
    const done = job.steps.filter((step) => step.state === 'done').length;
    const key = `${job.attempt}:${done}:${job.result === undefined ? 0 : 1}`;
    if (key === this.resultsKey) return;
    this.resultsKey = key;
    const stats = statsOf(job);
    if (stats) {
      replace(
        this.parts.results,
        h('h3', { class: 'section-title' }, stats.complete ? 'Result' : 'Intermediate results'),
        statsView(stats),
      );
      return;
    }
    // A pipeline without a view of its own: each step's partial result and the result, generically.
    const finished = job.steps.filter((step) => step.state === 'done' && step.data !== undefined);
    replace(
      this.parts.results,
      finished.length > 0 &&
        h(
          'section',
          { class: 'card' },
          h('h3', {}, 'Intermediate results'),
          finished.map((step) =>
            h(
              'div',
              { class: 'step-data', 'data-step': step.name },
              h('h4', {}, step.name),
              genericView(step.data),
            ),
          ),
        ),
      job.result !== undefined &&
        h(
          'section',
          { class: 'card result' },
          h('h3', {}, 'Result'),
          genericView(job.result),
          h(
            'details',
            { class: 'json raw' },
            h('summary', {}, 'JSON'),
            h('pre', {}, JSON.stringify(job.result, null, 2)),
          ),
        ),
    );
  }

  private async cancel(): Promise<void> {
    const id = this.job?.id;
    if (!id) return;
    this.cancelling = true;
    this.parts.cancel.disabled = true;
    replace(this.parts.apiError);
    try {
      await this.client.cancel(id);
    } catch (error) {
      if (this.job?.id === id) this.showProblem(error);
    } finally {
      this.cancelling = false;
      if (this.job) this.renderHeader(this.job);
    }
  }

  private showProblem(error: unknown): void {
    const panel = errorPanel(error);
    if (this.job) replace(this.parts.apiError, panel);
    else replace(this.root, panel);
    if (!(error instanceof ApiError)) console.error(error);
  }
}

function progressNote(job: JobView): string {
  switch (job.status) {
    case 'queued':
      return job.attempt > 0 ? 'queued to run again' : 'waiting for a worker';
    case 'running': {
      const running = job.steps.find((step) => step.state === 'running');
      return running ? `running ${running.name}` : 'running';
    }
    case 'failed':
      return job.step ? `failed in ${job.step}` : 'failed';
    default:
      return job.status;
  }
}
