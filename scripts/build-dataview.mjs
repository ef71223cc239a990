// Builds the dataview into dist/dataview: one bundled script (socket.io-client
// included, so the page needs no CDN) beside its HTML and CSS.
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

const source = join('src', 'dataview');
const out = join('dist', 'dataview');

await mkdir(out, { recursive: true });
await build({
  entryPoints: [join(source, 'main.ts')],
  outfile: join(out, 'app.js'),
  tsconfig: join(source, 'tsconfig.json'),
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: ['es2022'],
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
});
await Promise.all(
  ['index.html', 'styles.css'].map((file) => copyFile(join(source, file), join(out, file))),
);
console.log(`dataview built into ${out}`);
