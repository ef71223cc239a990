import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { families, scrape } from '../support/metrics';
import { useService } from '../support/service-fixture';

const fixture = useService();

interface Dashboard {
  panels: { title: string; datasource: { uid: string }; targets: { expr: string }[] }[];
}

const OPS = join(__dirname, '..', '..', 'ops');
const DASHBOARD = join(OPS, 'grafana', 'realtime-analysis.json');
const DATASOURCES = join(OPS, 'grafana', 'provisioning', 'datasources', 'prometheus.yml');
const HISTOGRAM_SERIES = /_(bucket|sum|count)$/;

/** The metric names a PromQL expression reads: the service's own and Node's process metrics. */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b(?:ras|nodejs|process)_[a-zA-Z0-9_]+/g)].map((match) => match[0]);
}

describe('Grafana dashboard ops/grafana/realtime-analysis.json', () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;

  it('has the panels an operator needs', () => {
    expect(dashboard.panels.map((panel) => panel.title)).toEqual(
      expect.arrayContaining([
        'Queue depth',
        'Jobs per second',
        'Job duration by pipeline',
        'Events per second',
        'Live clients',
        'HTTP requests per second by route',
        'HTTP latency by route (p50, p95)',
        'Event-loop lag per process (p99)',
        'Resident memory per process',
      ]),
    );
  });

  it("reads from the datasource that the compose profile's Grafana provisions", () => {
    const provisioned = /^\s*uid:\s*(\S+)\s*$/m.exec(readFileSync(DATASOURCES, 'utf8'))?.[1];
    expect(provisioned).toBeDefined();
    for (const panel of dashboard.panels) expect(panel.datasource.uid).toBe(provisioned);
  });

  it('queries only metrics that /metrics exposes', async () => {
    const exposed = families(await scrape(fixture.service.url));
    const queried = dashboard.panels.flatMap((panel) =>
      panel.targets.flatMap((target) =>
        metricNames(target.expr).map((name) => ({ panel: panel.title, name })),
      ),
    );
    expect(queried.length).toBeGreaterThan(10);
    const missing = queried.filter(({ name }) => {
      if (exposed.has(name)) return false;
      const family = name.replace(HISTOGRAM_SERIES, '');
      return exposed.get(family) !== 'histogram';
    });
    expect(missing).toEqual([]);
  });
});
