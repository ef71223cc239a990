import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { freePort } from './free-port';

const run = promisify(execFile);

export interface ClusterNode {
  port: number;
  /** SIGKILLs the node (a crash); resolves once it has exited. */
  kill(): Promise<void>;
  /** Starts the killed node again on its port: it rejoins the cluster (as a replica, once failed over). */
  restart(): Promise<void>;
}

export interface RedisCluster {
  nodes: ClusterNode[];
  /** `REDIS_CLUSTER_NODES` for the service: every node as a seed. */
  seeds: string;
  /** The ports of the current masters. */
  masters(): Promise<number[]>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;

/** Seed URL → REDIS_CLUSTER_NODES of the clusters this test file started (see startApp). */
const seedsByUrl = new Map<string, string>();

/** REDIS_CLUSTER_NODES when `url` names a node of a cluster this file started. */
export function clusterSeedsOf(url: string): string | undefined {
  return seedsByUrl.get(url);
}

/** A free port whose cluster bus port (port + 10000) is free too. */
async function freeClusterPort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port + 10_000 > 65_535 || taken.has(port)) continue;
    const bus = await freePort();
    if (bus === port + 10_000) continue;
    taken.add(port);
    return port;
  }
}

function startNode(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      `nodes-${port}.conf`,
      '--cluster-node-timeout',
      '2000',
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  process.once('exit', () => child.kill('SIGKILL'));
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        child.stdout?.off('data', onData);
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', () => reject(new Error(`redis-server on ${port} exited: ${output.trim()}`)));
  });
}

/** Resolves once `check` does; polls, as Redis announces no cluster state change to a client. */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline)
      throw new Error(`redis cluster: ${what} within ${READY_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function info(port: number, command: string[]): Promise<string> {
  const redis = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await redis.connect();
    return String(await redis.call(command[0], ...command.slice(1)));
  } finally {
    redis.disconnect();
  }
}

/**
 * A Redis Cluster of the test's own: 3 masters and 3 replicas from
 * `redis-server` binaries on free ports, made with `redis-cli --cluster create`,
 * keeping nothing on disk beyond a temporary folder removed on stop.
 */
export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'ras-cluster-'));
  const taken = new Set<number>();
  const ports: number[] = [];
  for (let i = 0; i < 6; i += 1) ports.push(await freeClusterPort(taken));
  const children = await Promise.all(ports.map((port) => startNode(port, dir)));
  const nodes: ClusterNode[] = ports.map((port, i) => ({
    port,
    restart: async () => {
      children[i] = await startNode(port, dir);
    },
    kill: async () => {
      const child = children[i];
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  }));
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.kill()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      '1',
      '--cluster-yes',
    ]);
    for (const port of ports) {
      await until(`node ${port} ok`, async () =>
        (await info(port, ['CLUSTER', 'INFO'])).includes('cluster_state:ok'),
      );
    }
    // Every replica in sync, so that a failover test starts from a replicated state.
    await until('replicas in sync', async () => {
      const roles = await Promise.all(ports.map((port) => info(port, ['INFO', 'replication'])));
      return roles.every(
        (role) => !role.includes('role:slave') || role.includes('master_link_status:up'),
      );
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const seeds = ports.map((port) => `127.0.0.1:${port}`).join(',');
  for (const port of ports) seedsByUrl.set(`redis://127.0.0.1:${port}`, seeds);
  return {
    nodes,
    seeds,
    masters: async () => {
      const alive = nodes.filter(
        (_, i) => children[i].exitCode === null && children[i].signalCode === null,
      );
      const roles = await Promise.all(
        alive.map(async (node) => ({ node, role: await info(node.port, ['ROLE']) })),
      );
      return roles.filter(({ role }) => role.startsWith('master')).map(({ node }) => node.port);
    },
    stop,
  };
}
