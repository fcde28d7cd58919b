/**
 * The package as users install it: `npm pack` → install the tarball into an empty directory →
 * `httptrace --version` works; built in `prepack` (no install script), LICENSE shipped, and every
 * source map points at a shipped file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

test('npm pack → npm install the tarball → httptrace --version', async (t) => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; scripts: Record<string, string> };
  assert.equal(pkg.scripts['prepare'], undefined, 'no install-time script');
  assert.match(pkg.scripts['prepack'] ?? '', /build/);
  const dir = await mkdtemp(join(tmpdir(), 'httptrace-pack-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // dist/ is built by `npm test`; --ignore-scripts keeps the test from rebuilding it.
  const packed = await run(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: root });
  const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const files = new Set(info!.files.map((f) => f.path));
  assert.ok(files.has('LICENSE') && files.has('dist/cli/main.js'));
  for (const map of [...files].filter((f) => f.endsWith('.js.map'))) {
    const { sources } = JSON.parse(await readFile(join(root, map), 'utf8')) as { sources: string[] };
    for (const source of sources) assert.ok(files.has(join(dirname(map), source).replace(/\\/g, '/')), `${map} → ${source}`);
  }
  const app = join(dir, 'app');
  await run(npm, ['install', '--offline', '--no-audit', '--no-fund', '--prefix', app, join(dir, info!.filename)]);
  const bin = join(app, 'node_modules', '.bin', 'httptrace');
  assert.ok(existsSync(bin));
  const version = await run(bin, ['--version']);
  assert.equal(version.stdout, `httptrace ${pkg.version}\n`);
  assert.ok((await readdir(resolve(app, 'node_modules'))).includes('httptrace'));
});
