import 'reflect-metadata';
import { createLabApp } from './create-lab-app';

/**
 * Nest needs decorator metadata, which tsx does not emit: compile, then run.
 *
 *     npx tsc -p examples/host-app && REDIS_URL=redis://127.0.0.1:6379 node examples/host-app/dist/examples/host-app/src/main.js
 */
async function main(): Promise<void> {
  const app = await createLabApp(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  await app.listen(Number(process.env.PORT ?? 3100), '127.0.0.1');
  process.stdout.write(`lab listening on ${await app.getUrl()}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
