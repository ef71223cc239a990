import { AnalysisClient, type ConnectionState } from '../client/analysis-client';
import type { PipelineDescription } from '../core/pipelines/pipeline.registry';
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

/** `#/analyses/<id>` selects an analysis, so a link or a reload shows the same one. */
function selectedId(): string | undefined {
  const match = /^#\/analyses\/([A-Za-z0-9_-]{1,128})$/.exec(location.hash);
  return match?.[1];
}

async function main(): Promise<void> {
  const client = new AnalysisClient();
  const badge = element('connection');
  const showState = (state: ConnectionState) => {
    badge.dataset.state = state;
    replace(badge, h('i', {}), h('span', {}, CONNECTION_LABELS[state]));
  };
  client.onConnectionState(showState);
  client.connect();
  showState(client.connectionState);

  let pipelines: PipelineDescription[] = [];
  try {
    pipelines = await client.pipelines();
  } catch (error) {
    replace(element('detail'), errorPanel(error));
  }
  const stepsOf = (name: string) =>
    pipelines.find((pipeline) => pipeline.name === name)?.steps ?? [];

  const list = new AnalysesList(element('recent'), client);
  const detail = new JobDetail(element('detail'), client, stepsOf);
  new StartForm(element('new-analysis'), client, (snapshot) => {
    list.add(snapshot);
    location.hash = `#/analyses/${snapshot.id}`;
  });

  const route = () => {
    const id = selectedId();
    list.select(id);
    if (id) void detail.show(id);
    else detail.showEmpty();
  };
  window.addEventListener('hashchange', route);
  route();
  await list.refresh();
}

void main();
