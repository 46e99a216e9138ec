// Builds the dashboard into dist/: one JavaScript bundle (the app and the parts of the
// Firebase JS SDK it uses) and one stylesheet, both named by their content's hash so a
// deployed copy can be cached for good, and index.html pointing at them. config.json is
// not built: the local stack generates it, Terraform writes the deployed one.
import * as esbuild from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(root, 'dist');
const started = Date.now();

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: ['src/main.js', 'src/style.css'],
  bundle: true,
  minify: true,
  sourcemap: 'linked',
  format: 'esm',
  target: ['es2022', 'chrome110', 'safari16', 'firefox115'],
  entryNames: '[name]-[hash]',
  outdir: dist,
  metafile: true,
  legalComments: 'linked',
  logLevel: 'warning',
});
const outputs = Object.entries(result.metafile.outputs);
const named = (entry) => {
  const found = outputs.find(([, o]) => o.entryPoint === entry);
  if (!found) throw new Error(`build: no output for ${entry}`);
  return path.basename(found[0]);
};
let html = await readFile(path.join(root, 'index.html'), 'utf8');
html = html.replace('/*APP_JS*/main.js', named('src/main.js')).replace('/*APP_CSS*/style.css', named('src/style.css'));
if (html.includes('/*APP_')) throw new Error('build: index.html placeholders not replaced');
await writeFile(path.join(dist, 'index.html'), html);
const size = outputs.filter(([f]) => f.endsWith('.js') || f.endsWith('.css')).reduce((n, [, o]) => n + o.bytes, 0);
console.log(`dashboard: built dist/ (${Math.round(size / 1024)} KiB of JS and CSS) in ${Date.now() - started} ms`);
