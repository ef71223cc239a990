import type { AnalysisClient } from '../client/analysis-client';
import type { AnalysisSnapshot } from '../core/analysis.types';
import { h, replace } from './dom';
import { formatAge, formatPercent } from './format';
import { isOver } from './job-model';

const LIMIT = 25;

/** A row's elements, kept across renders and updated in place: a click never lands on a replaced one. */
interface Row {
  item: HTMLLIElement;
  link: HTMLAnchorElement;
  dot: HTMLSpanElement;
  when: HTMLSpanElement;
  fill: HTMLElement;
  state: HTMLSpanElement;
}
/** New analyses (from other tabs, the CLI, other api processes) have no push channel: look again this often. */
const REFRESH_MS = 5_000;

/**
 * The recent analyses, newest first, each with live status and progress:
 * every unfinished one is watched from its last known event.
 */
export class AnalysesList {
  private snapshots: AnalysisSnapshot[] = [];
  private readonly watching = new Map<string, AbortController>();
  private selected: string | undefined;
  private readonly list = h('ul', { class: 'analyses' });
  private readonly rows = new Map<string, Row>();

  constructor(
    root: HTMLElement,
    private readonly client: AnalysisClient,
  ) {
    replace(
      root,
      h(
        'div',
        { class: 'card-title' },
        h('h2', {}, 'Recent analyses'),
        h(
          'button',
          { class: 'button ghost', type: 'button', onclick: () => void this.refresh() },
          'Refresh',
        ),
      ),
      this.list,
    );
    setInterval(() => void this.refresh(), REFRESH_MS);
    setInterval(() => this.render(), 1_000);
  }

  async refresh(): Promise<void> {
    try {
      this.merge(await this.client.list({ limit: LIMIT }));
    } catch {
      // The service is unreachable for now: the connection badge says so; try again later.
    }
  }

  /** A snapshot this page just created: shown at once, ahead of the next refresh. */
  add(snapshot: AnalysisSnapshot): void {
    this.merge([snapshot, ...this.snapshots.filter((known) => known.id !== snapshot.id)]);
  }

  select(id: string | undefined): void {
    this.selected = id;
    this.render();
  }

  private merge(latest: AnalysisSnapshot[]): void {
    const known = new Map(this.snapshots.map((snapshot) => [snapshot.id, snapshot]));
    // A watched snapshot may be ahead of the list just read: keep the newer of the two.
    this.snapshots = latest
      .map((snapshot) => {
        const mine = known.get(snapshot.id);
        return mine && mine.lastSeq > snapshot.lastSeq ? mine : snapshot;
      })
      .slice(0, LIMIT);
    const shown = new Set(this.snapshots.map((snapshot) => snapshot.id));
    for (const [id, following] of this.watching) {
      if (!shown.has(id)) {
        following.abort();
        this.watching.delete(id);
      }
    }
    this.snapshots
      .filter((snapshot) => !isOver(snapshot.status))
      .forEach((snapshot) => this.follow(snapshot));
    this.render();
  }

  private follow(snapshot: AnalysisSnapshot): void {
    if (this.watching.has(snapshot.id)) return;
    const following = new AbortController();
    this.watching.set(snapshot.id, following);
    void (async () => {
      try {
        for await (const event of this.client.watch(snapshot.id, {
          after: snapshot.lastSeq,
          signal: following.signal,
        })) {
          this.snapshots = this.snapshots.map((known) =>
            known.id === event.id
              ? {
                  ...known,
                  status: event.status,
                  progress: event.progress,
                  step: event.step,
                  lastSeq: event.seq,
                }
              : known,
          );
          this.render();
        }
      } catch {
        // Gone (expired) or refused: the next refresh shows what the service knows.
      } finally {
        if (this.watching.get(snapshot.id) === following) this.watching.delete(snapshot.id);
      }
    })();
  }

  private render(): void {
    if (this.snapshots.length === 0) {
      this.rows.clear();
      replace(this.list, h('li', { class: 'none' }, 'No analyses yet.'));
      return;
    }
    const items = this.snapshots.map((snapshot) => this.update(this.rowFor(snapshot), snapshot));
    const shown = new Set(this.snapshots.map((snapshot) => snapshot.id));
    for (const id of this.rows.keys()) if (!shown.has(id)) this.rows.delete(id);
    const current = [...this.list.children];
    if (items.length !== current.length || items.some((item, index) => item !== current[index])) {
      this.list.replaceChildren(...items);
    }
  }

  private rowFor(snapshot: AnalysisSnapshot): Row {
    const known = this.rows.get(snapshot.id);
    if (known) return known;
    const row: Row = {
      link: h('a', { href: `#/analyses/${snapshot.id}`, 'data-id': snapshot.id }),
      dot: h('span', {}),
      when: h('span', { class: 'when' }),
      fill: h('i', {}),
      state: h('span', { class: 'state' }),
      item: h('li', {}),
    };
    row.link.append(
      row.dot,
      h(
        'span',
        { class: 'what' },
        h('strong', {}, snapshot.pipeline),
        h('code', {}, snapshot.id.slice(0, 8)),
      ),
      row.when,
      h('span', { class: 'mini-progress' }, row.fill),
      row.state,
    );
    row.item.append(row.link);
    this.rows.set(snapshot.id, row);
    return row;
  }

  private update(row: Row, snapshot: AnalysisSnapshot): HTMLLIElement {
    const { status, progress } = snapshot;
    row.link.className = snapshot.id === this.selected ? 'analysis selected' : 'analysis';
    row.link.dataset.status = status;
    row.dot.className = `dot ${status}`;
    row.dot.title = status;
    row.when.textContent = formatAge(snapshot.createdAt);
    row.fill.className = status;
    row.fill.style.width = `${progress}%`;
    row.state.textContent = status === 'running' ? formatPercent(progress) : status;
    return row.item;
  }
}
