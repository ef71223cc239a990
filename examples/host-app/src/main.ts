import 'reflect-metadata';
import { createLabApp } from './create-lab-app';

/** `REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/host-app/src/main.ts` */
async function main(): Promise<void> {
  const app = await createLabApp(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  await app.listen(Number(process.env.PORT ?? 3100), '127.0.0.1');
  process.stdout.write(`lab listening on ${await app.getUrl()}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
