#!/usr/bin/env node
// `npm test`: builds the package, type-checks and lints everything (biome.jsonc), runs the Node specs (node --test, on esbuild
// bundles of test/node/**/*.test.ts) and the browser specs (karma, headless Chromium), and closes with one
// line `N passed, N failed[, N skipped]`. Exits non-zero if anything failed.
//   node tools/run-tests.mjs [--only node|browser] [SPEC.ts ...]   (named specs: run only those)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { bundleForNode } from './node-bundle.mjs';
import { readCliArgs } from '../training/node/cli-args.mjs';
import { copyRuntimeAssets } from './copy-runtime-assets.mjs';

const args = readCliArgs(
  { only: 'string' },
  { usage: 'usage: node tools/run-tests.mjs [--only node|browser] [SPEC.ts ...]', positionals: [0, Infinity] },
);
const only = args.only ?? null;
const named = args._.map((a) => path.normalize(a));
// One folder per run, so that runs started side by side do not overwrite each other's bundles.
const CACHE = path.resolve('.cache', `test-${process.pid}`);
process.on('exit', () => fs.rmSync(CACHE, { recursive: true, force: true }));
const totals = { passed: 0, failed: 0, skipped: 0 };
const problems = [];

function run(cmd, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('exit', (code, signal) => resolve(signal ? 1 : (code ?? 1)));
  });
}

function step(title) {
  console.log(`\n=== ${title} ===`);
}

function findSpecs(dir, suffix) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(suffix))
    .map((f) => path.join(dir, f))
    .filter((f) => named.length === 0 || named.includes(f))
    .sort();
}

step('build (runtime files, rollup, declarations)');
try {
  copyRuntimeAssets();
} catch (e) {
  console.error(e.message);
  problems.push('runtime files');
}
if ((await run('npx', ['rollup', '-c', 'rollup.config.mjs', '--silent'])) !== 0) problems.push('rollup build');
else if ((await run('node', ['tools/bundle-worker.mjs'])) !== 0) problems.push('worker bundle');
if ((await run('npx', ['tsc', '-p', 'tsconfig.build.json'])) !== 0) problems.push('declaration build');

step('type-check (tsc --noEmit)');
if ((await run('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit'])) !== 0) problems.push('type-check');

// The whole tree, also when specs are named: formatting and the lint rules of biome.jsonc, warnings included (`npx biome check --write`
// formats and applies the safe fixes).
step('lint and format (biome ci)');
if ((await run('npx', ['biome', 'ci', '--error-on-warnings', '--reporter=summary', '.'])) !== 0)
  problems.push('lint or format (npx biome check --write, then fix what it lists)');

const nodeSpecs = findSpecs('test/node', '.test.ts');
const browserSpecs = findSpecs('test/browser', '.spec.ts');
if (only !== 'browser' && (named.length === 0 || nodeSpecs.length > 0)) {
  step('node specs');
  const specs = nodeSpecs;
  const bundles = await bundleForNode(specs, path.join(CACHE, 'node-tests'));
  const tap = path.join(CACHE, 'node-tests.tap');
  await run(process.execPath, [
    '--enable-source-maps',
    '--test',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...bundles,
  ]);
  const text = fs.existsSync(tap) ? fs.readFileSync(tap, 'utf8') : '';
  const count = (key) => Number((text.match(new RegExp(`^# ${key} (\\d+)$`, 'm')) ?? [])[1] ?? NaN);
  const node = {
    passed: count('pass'),
    failed: count('fail') + count('cancelled'),
    skipped: count('skipped') + count('todo'),
  };
  if (Object.values(node).some(Number.isNaN) || node.passed + node.failed === 0) {
    problems.push('node specs produced no summary');
  } else {
    console.log(`node: ${node.passed} passed, ${node.failed} failed, ${node.skipped} skipped`);
    for (const k of Object.keys(totals)) totals[k] += node[k];
  }
}

if (only !== 'node' && (named.length === 0 || browserSpecs.length > 0)) {
  step('browser specs (karma, headless Chromium)');
  const summaryFile = path.join(CACHE, 'karma-summary.json');
  fs.mkdirSync(CACHE, { recursive: true });
  fs.rmSync(summaryFile, { force: true });
  const code = await run('npx', ['karma', 'start', 'karma.conf.cjs', '--single-run'], {
    KARMA_SUMMARY_FILE: summaryFile,
    ...(named.length > 0 ? { KARMA_SPECS: `{${browserSpecs.join(',')},}` } : {}),
  });
  if (!fs.existsSync(summaryFile)) {
    problems.push(`karma exited ${code} without a summary`);
  } else {
    const browser = JSON.parse(fs.readFileSync(summaryFile, 'utf8'));
    if (browser.passed + browser.failed === 0) problems.push('browser specs ran no test');
    if (code !== 0 && browser.failed === 0) problems.push(`karma exited ${code}`);
    for (const k of Object.keys(totals)) totals[k] += browser[k];
  }
}

console.log('');
for (const p of problems) console.log(`problem: ${p}`);
const failed = totals.failed + problems.length;
console.log(`${totals.passed} passed, ${failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
