import { AnalysisClient, type ConnectionState } from '../client/analysis-client';
import type { PipelineDescription } from '../core/pipelines/pipeline.registry';
import { ensureKey, parseRoute, storedKey } from './access';
import { AnalysesList } from './analyses-list';
import { h, replace } from './dom';
import { errorPanel } from './error-panel';
import { JobDetail } from './job-detail';
import { StartForm } from './start-form';

const CONNECTION_LABELS: Record<ConnectionState, string> = {
  idle: 'Idle',
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  closed: 'Closed',
};

function element(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found;
}

/**
 * `#/analyses/<id>` selects an analysis, so a link or a reload shows the same
 * one; `#/analyses/<id>?token=…` is a shared link: that analysis, read-only,
 * with its token instead of a key.
 */
async function main(): Promise<void> {
  const shared = parseRoute(location.hash);
  const client = new AnalysisClient(
    '',
    shared.token ? { token: shared.token } : { key: storedKey() },
  );
  const badge = element('connection');
  const showState = (state: ConnectionState) => {
    badge.dataset.state = state;
    replace(badge, h('i', {}), h('span', {}, CONNECTION_LABELS[state]));
  };
  client.onConnectionState(showState);
  client.connect();
  showState(client.connectionState);
  if (shared.id && shared.token) return sharedView(client, shared.id);
  await ensureKey(client, element('detail'));

  let pipelines: PipelineDescription[] = [];
  try {
    pipelines = await client.pipelines();
  } catch (error) {
    replace(element('detail'), errorPanel(error));
  }
  const stepsOf = (name: string) =>
    pipelines.find((pipeline) => pipeline.name === name)?.steps ?? [];

  const list = new AnalysesList(element('recent'), client);
  const detail = new JobDetail(element('detail'), client, stepsOf, { readOnly: false });
  new StartForm(element('new-analysis'), client, pipelines, (snapshot) => {
    list.add(snapshot);
    location.hash = `#/analyses/${snapshot.id}`;
  });

  const route = () => {
    const { id } = parseRoute(location.hash);
    list.select(id);
    if (id) void detail.show(id);
    else detail.showEmpty();
  };
  window.addEventListener('hashchange', route);
  route();
  await list.refresh();
}

/** A shared link: one analysis, read-only; the page's other parts need a key. */
async function sharedView(client: AnalysisClient, id: string): Promise<void> {
  element('new-analysis').hidden = true;
  element('recent').hidden = true;
  let pipelines: PipelineDescription[] = [];
  try {
    pipelines = await client.pipelines();
  } catch {
    // The steps are then listed as the events name them.
  }
  const stepsOf = (name: string) =>
    pipelines.find((pipeline) => pipeline.name === name)?.steps ?? [];
  await new JobDetail(element('detail'), client, stepsOf, { readOnly: true }).show(id);
}

void main();
