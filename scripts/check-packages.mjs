#!/usr/bin/env node
/**
 * Checks what we publish, as a user receives it (run `pnpm build` first):
 *
 *   1. `pnpm pack` of every published package (packages/*, not private) into a temporary folder;
 *   2. each tarball holds only `dist/`, README.md, LICENSE and package.json (plus, for tensor-kernels, the C
 *      sources and the build script its install step compiles the native addon from: TARBALL_EXTRAS), has all
 *      four, and its package.json has no `@quarkmed/source` condition, no `workspace:` range, and exports equal
 *      to the workspace's exports without that condition (so `publishConfig.exports` cannot drift);
 *   3. `publint --strict` and `@arethetypeswrong/cli` (profile node16: ESM and CJS under Node 16+ resolution
 *      and bundlers; node10 resolution has no subpath exports) on each tarball;
 *   4. a scratch project outside the workspace that `npm install`s all the tarballs together (third-party
 *      dependencies from npm's registry, its cache preferred), checks that node_modules/@quarkmed/* are real
 *      folders from the tarballs (no workspace links), then runs an ESM script (`import`) and a CommonJS script
 *      (`require`) that load every package's main entry and subpaths and call a real function of each, the
 *      shipped data included (knowledge-graph subset, verifier data, embedder checkpoint), and the `quarkmed`
 *      bin.
 *
 *   node scripts/check-packages.mjs           # all of it; exits 1 naming every problem
 *   node scripts/check-packages.mjs --keep    # keep the temporary folder (printed) for a look
 *   node scripts/check-packages.mjs --no-install   # steps 1–3 only
 *   node scripts/check-packages.mjs --recipe  # also `quarkmed run --scale tiny` in the scratch project (~30 s more)
 *
 * Prints the seconds of each step. `QUARKMED_NATIVE=0` in the environment skips the native addon's build at
 * install, as for users.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
for (const a of args) if (!['--keep', '--no-install', '--recipe'].includes(a)) fail(`unknown option ${a} (known: --keep, --no-install, --recipe)`);
const keep = args.has('--keep');
const install = !args.has('--no-install');
const recipe = args.has('--recipe');

/** Paths every tarball must have (relative to its `package/` folder). */
const REQUIRED = ['package.json', 'README.md', 'LICENSE'];
/** Paths outside `dist/` a package may ship, by package folder name: the native addon's sources and build step. */
const TARBALL_EXTRAS = {
  'tensor-kernels': [/^csrc\/[\w.-]+\.(c|h)$/, /^native\/src\/([\w.-]+\/)*[\w.-]+\.(cc|c|h)$/, /^scripts\/build-native\.mjs$/, /^binding\.gyp$/],
};

const problems = [];
const problem = (msg) => {
  problems.push(msg);
  console.error(`  ✗ ${msg}`);
};
let work; // the temporary folder, once made
function fail(msg) {
  console.error(`check-packages: ${msg}`);
  if (work !== undefined && !keep) rmSync(work, { recursive: true, force: true });
  process.exit(1);
}
const t0 = Date.now();
let tStep = t0;
function step(name) {
  const now = Date.now();
  console.log(`== ${name} (${((now - t0) / 1000).toFixed(1)} s so far)`);
  tStep = now;
}
const stepSeconds = () => ((Date.now() - tStep) / 1000).toFixed(1);

/** The environment for child npm/node processes: without the npm_* variables pnpm sets for scripts (its
 * workspace .npmrc would otherwise reach npm), keeping a registry or cache the caller chose. */
function childEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) && !/^npm_config_(registry|cache)$/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...opts });
  if (r.error) throw new Error(`${cmd} ${argv.join(' ')}: ${r.error.message}`);
  return r;
}

/** Runs a command without blocking; resolves with its exit status and its stdout and stderr together. */
function runAsync(cmd, argv, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (e) => resolve({ status: -1, output: `${cmd}: ${e.message}` }));
    child.on('close', (status, signal) => resolve({ status: status ?? signal, output }));
  });
}

/** `fn` over `items`, at most `width` at a time; the results in the items' order. */
async function pool(items, width, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

/** Deletes the `@quarkmed/source` condition everywhere in an exports value. */
function withoutSource(v) {
  if (Array.isArray(v)) return v.map(withoutSource);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([k]) => k !== '@quarkmed/source')
      .map(([k, x]) => [k, withoutSource(x)]),
  );
}
const stable = (v) => JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort()) : x));

// ---------------------------------------------------------------------------------------------------------
const packages = readdirSync(join(root, 'packages'))
  .filter((d) => existsSync(join(root, 'packages', d, 'package.json')))
  .map((d) => ({ dir: d, path: join(root, 'packages', d), manifest: JSON.parse(readFileSync(join(root, 'packages', d, 'package.json'), 'utf8')) }))
  .filter((p) => p.manifest.private !== true)
  .sort((a, b) => a.dir.localeCompare(b.dir));
if (packages.length === 0) fail('no published packages under packages/');
for (const p of packages) {
  if (!existsSync(join(p.path, 'dist'))) fail(`${p.manifest.name}: no dist/ (run pnpm build first)`);
}

work = mkdtempSync(join(tmpdir(), 'quarkmed-packages-'));
if (relative(root, work).split(/[\\/]/)[0] !== '..') fail(`the temporary folder ${work} is inside the workspace`);
const tarDir = join(work, 'tarballs');
mkdirSync(tarDir);
console.log(`check-packages: ${packages.length} packages, temporary folder ${work}`);

// 1. pack ----------------------------------------------------------------------------------------------------
step('pnpm pack');
const packRuns = await pool(packages, 4, (p) => runAsync('pnpm', ['pack', '--json', '--pack-destination', tarDir], { cwd: p.path }));
packages.forEach((p, i) => {
  const r = packRuns[i];
  if (r.status !== 0) fail(`${p.manifest.name}: pnpm pack failed (${r.status}):\n${r.output}`);
  let info;
  try {
    info = JSON.parse(r.output.slice(r.output.indexOf('{'), r.output.lastIndexOf('}') + 1));
  } catch (e) {
    fail(`${p.manifest.name}: cannot read pnpm pack --json output (${e.message}):\n${r.output}`);
  }
  p.tarball = join(tarDir, info.filename.split(/[\\/]/).pop());
  if (!existsSync(p.tarball)) fail(`${p.manifest.name}: pnpm pack reported ${info.filename}, which is not in ${tarDir}`);
});
console.log(`  ${packages.length} tarballs in ${stepSeconds()} s`);

// 2. contents ------------------------------------------------------------------------------------------------
step('tarball contents');
for (const p of packages) {
  const name = p.manifest.name;
  const list = execFileSync('tar', ['-tzf', p.tarball], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .split('\n')
    .filter((l) => l !== '' && !l.endsWith('/'));
  const files = [];
  for (const l of list) {
    if (!l.startsWith('package/')) problem(`${name}: tarball entry outside package/: ${l}`);
    else files.push(l.slice('package/'.length));
  }
  const extras = TARBALL_EXTRAS[p.dir] ?? [];
  const outside = files.filter((f) => !f.startsWith('dist/') && !REQUIRED.includes(f) && !extras.some((re) => re.test(f)));
  for (const f of outside) problem(`${name}: ships ${f}, outside dist/, README.md, LICENSE, package.json${extras.length ? ' and its native-addon sources' : ''}`);
  for (const f of REQUIRED) if (!files.includes(f)) problem(`${name}: the tarball has no ${f}`);
  if (!files.some((f) => f.startsWith('dist/'))) problem(`${name}: the tarball has no dist/`);
  const packed = JSON.parse(execFileSync('tar', ['-xzOf', p.tarball, 'package/package.json'], { encoding: 'utf8' }));
  const text = JSON.stringify(packed);
  if (text.includes('@quarkmed/source')) problem(`${name}: the packed package.json still has the @quarkmed/source condition (set publishConfig.exports)`);
  if (text.includes('"workspace:')) problem(`${name}: the packed package.json has a workspace: range`);
  if (stable(packed.exports) !== stable(withoutSource(p.manifest.exports))) {
    problem(`${name}: the packed exports differ from package.json's exports without @quarkmed/source (publishConfig.exports is out of date):\n    packed:   ${stable(packed.exports)}\n    expected: ${stable(withoutSource(p.manifest.exports))}`);
  }
  const bytes = lstatSync(p.tarball).size;
  console.log(`  ${name}@${packed.version}: ${files.length} files, ${(bytes / 1024).toFixed(0)} KiB packed${outside.length ? `, ${outside.length} not allowed` : ''}`);
}

// 3. publint, attw ---------------------------------------------------------------------------------------------
step('publint --strict and attw');
const bin = (n) => join(root, 'node_modules', '.bin', n);
const lintJobs = packages.flatMap((p) => [
  { p, tool: 'publint --strict', cmd: bin('publint'), argv: ['run', p.tarball, '--strict'] },
  { p, tool: 'attw', cmd: bin('attw'), argv: [p.tarball, '--profile', 'node16', '--format', 'ascii', '--no-color', '--no-emoji'] },
]);
const lintResults = await pool(lintJobs, 4, (j) => runAsync(j.cmd, j.argv, { cwd: work, env: childEnv() }));
for (const p of packages) {
  const failed = lintJobs.map((j, i) => [j, lintResults[i]]).filter(([j, r]) => j.p === p && r.status !== 0);
  for (const [j, r] of failed) problem(`${p.manifest.name}: ${j.tool} failed:\n${r.output.trim()}`);
  if (failed.length === 0) console.log(`  ${p.manifest.name}: publint and attw clean`);
}
console.log(`  in ${stepSeconds()} s`);

// 4. scratch project -------------------------------------------------------------------------------------------
if (install) {
  step('npm install of the tarballs in a scratch project');
  const scratch = join(work, 'scratch');
  mkdirSync(scratch);
  writeFileSync(join(scratch, 'package.json'), `${JSON.stringify({ name: 'quarkmed-scratch', version: '0.0.0', private: true }, null, 2)}\n`);
  const npmArgs = ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...packages.map((p) => p.tarball)];
  const ni = run('npm', npmArgs, { cwd: scratch, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  if (ni.status !== 0) fail(`npm install of the tarballs failed (${ni.status}):\n${ni.stdout}\n${ni.stderr}`);
  console.log(`  npm install: ${stepSeconds()} s`);

  for (const p of packages) {
    const dir = join(scratch, 'node_modules', p.manifest.name);
    const st = existsSync(dir) ? lstatSync(dir) : undefined;
    if (!st) problem(`${p.manifest.name}: not installed in the scratch project`);
    else if (st.isSymbolicLink() || !st.isDirectory()) problem(`${p.manifest.name}: node_modules/${p.manifest.name} is a link, not a folder from the tarball`);
    else if (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version !== p.manifest.version) problem(`${p.manifest.name}: the installed version is not the packed one`);
    else if (existsSync(join(dir, 'src'))) problem(`${p.manifest.name}: the installed package has src/`);
  }

  step('ESM and CommonJS imports in the scratch project');
  writeFileSync(join(scratch, 'smoke.mjs'), smokeScript('esm'));
  writeFileSync(join(scratch, 'smoke.cjs'), smokeScript('cjs'));
  for (const file of ['smoke.mjs', 'smoke.cjs']) {
    const r = run(process.execPath, [file], { cwd: scratch, env: childEnv(), timeout: 180_000 });
    const out = (r.stdout + r.stderr).trim();
    if (r.status !== 0) problem(`${file} failed (${r.status ?? r.signal}):\n${out}`);
    else console.log(out.replace(/^/gm, `  ${file}: `));
  }
  const cli = run(join(scratch, 'node_modules', '.bin', 'quarkmed'), ['--help'], { cwd: scratch, env: childEnv(), timeout: 60_000 });
  if (cli.status !== 0 || !/quarkmed/.test(cli.stdout)) problem(`the quarkmed bin failed (${cli.status}):\n${cli.stdout}${cli.stderr}`);
  else console.log(`  quarkmed --help: ${cli.stdout.split('\n')[0]}`);
  if (recipe) {
    const out = join(work, 'run');
    const r = run(join(scratch, 'node_modules', '.bin', 'quarkmed'), ['run', '--scale', 'tiny', '--backend', 'wasm', '--json', '--out', out], { cwd: scratch, env: childEnv(), timeout: 600_000 });
    const manifest = existsSync(join(out, 'manifest.json')) ? JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) : undefined;
    const versions = manifest?.packages ?? {};
    if (r.status !== 0 || !existsSync(join(out, 'report.html'))) problem(`quarkmed run --scale tiny failed (${r.status ?? r.signal}):\n${(r.stdout + r.stderr).slice(-4000)}`);
    else if (packages.some((p) => versions[p.manifest.name] !== p.manifest.version)) problem(`quarkmed run: the manifest's package versions ${JSON.stringify(versions)} are not the installed ones`);
    else console.log(`  quarkmed run --scale tiny: report.html written, manifest versions ${JSON.stringify(versions)}`);
  }
  console.log(`  in ${stepSeconds()} s`);
}

const total = ((Date.now() - t0) / 1000).toFixed(1);
if (keep) console.log(`check-packages: kept ${work}`);
else rmSync(work, { recursive: true, force: true });
if (problems.length > 0) {
  console.error(`check-packages: ${problems.length} problem(s) in ${total} s`);
  process.exit(1);
}
console.log(`check-packages: all ${packages.length} packages OK in ${total} s`);

/**
 * The scratch project's script: one real call per package entry, each checked; `esm` uses `import`,
 * `cjs` uses `require`. Prints one line per package.
 */
function smokeScript(kind) {
  const load = kind === 'esm' ? 'const load = (id) => import(id);' : 'const load = async (id) => require(id);';
  const body = `
const { mkdtempSync, readFileSync, rmSync } = require_('node:fs');
const { tmpdir } = require_('node:os');
const { join } = require_('node:path');
function check(ok, what) { if (!ok) throw new Error('${kind}: ' + what); }
async function main() {
  const tf = await load('@tensorflow/tfjs-core'); // hoisted by npm from tensor-kernels' dependencies
  const tk = await load('@quarkmed/tensor-kernels');
  const tkNode = await load('@quarkmed/tensor-kernels/node');
  const backend = await tk.initBackend('wasm');
  const y = tk.rmsNorm(tf.tensor2d([[1, 2, 3, 4]]), tf.ones([4])).arraySync()[0];
  check(Math.abs(y[0] - 1 / Math.sqrt(7.5)) < 1e-4, 'rmsNorm([1,2,3,4])[0] = ' + y[0]);
  const native = tkNode.loadNativeAddon();
  console.log('tensor-kernels: backend ' + JSON.stringify(backend) + ', rmsNorm ok; native addon: ' + (native.addon ? 'loaded' : native.reason));

  const model = await load('@quarkmed/model');
  const modelNode = await load('@quarkmed/model/node');
  const text = 'the heart pumps blood through the arteries; 心脏泵血';
  const tok = model.trainBpe(Array(20).fill(text), { vocabSize: 300 });
  const ids = tok.encode(text);
  check(tok.decode(ids) === text && ids.length < Buffer.byteLength(text), 'BPE round trip');
  const tmp = mkdtempSync(join(tmpdir(), 'quarkmed-smoke-'));
  await modelNode.writeFileAtomic(join(tmp, 'a.txt'), 'atomic');
  check(readFileSync(join(tmp, 'a.txt'), 'utf8') === 'atomic', 'writeFileAtomic');
  rmSync(tmp, { recursive: true, force: true });
  console.log('model: BPE ' + Buffer.byteLength(text) + ' bytes -> ' + ids.length + ' tokens, round trip ok; writeFileAtomic ok');

  const ds = await load('@quarkmed/data-synth');
  const dsNode = await load('@quarkmed/data-synth/node');
  const { kg, missing, issues } = await dsNode.buildMedicalKg();
  check(kg.size > 500 && missing.length === 0, 'buildMedicalKg: ' + kg.size + ' entities, missing ' + missing.join(','));
  check(ds.hasCjk('心脏') && !ds.hasCjk('heart'), 'hasCjk');
  console.log('data-synth: shipped KG subset from ' + dsNode.defaultKgSubsetDir().replace(process.cwd(), '.') + ': ' + kg.size + ' entities, ' + kg.tripleCount + ' triples, ' + issues.length + ' issues');

  const v = await load('@quarkmed/verifier');
  const vNode = await load('@quarkmed/verifier/node');
  vNode.useShippedVerifierData();
  const icd = new v.Icd10Verifier().verify('Diagnosis: E11.9', 'E11.9');
  check(icd.reward === 1, 'Icd10Verifier reward ' + icd.reward);
  const mcq = v.verifyMultipleChoice('The answer is B.', { answer: 'B' });
  const wrong = v.verifyMultipleChoice('The answer is C.', { answer: 'B' });
  check(mcq.reward === 1 && wrong.reward === 0, 'verifyMultipleChoice');
  console.log('verifier: ICD-10 from ' + vNode.verifierDataPath('icd10cm-fy2022.tsv.gz').replace(process.cwd(), '.') + ' reward 1, MCQ right 1 / wrong 0');

  const grpo = await load('@quarkmed/grpo');
  const adv = grpo.computeAdvantages([[1], [0], [1], [1]], { weights: [1], numGenerations: 2, scaleRewards: 'none', multiObjectiveAggregation: 'sum_then_normalize' });
  check([...adv.advantages].join() === '0.5,-0.5,0,0', 'computeAdvantages ' + [...adv.advantages].join());
  console.log('grpo: advantages ' + [...adv.advantages].join(', '));

  const rag = await load('@quarkmed/rag');
  const ragNode = await load('@quarkmed/rag/node');
  const index = new rag.Bm25Index();
  index.addDocuments([
    { pageContent: 'Myocardial infarction presents with chest pain radiating to the left arm.', metadata: { id: 'mi' } },
    { pageContent: 'Type 2 diabetes mellitus is treated with metformin first.', metadata: { id: 'dm' } },
    { pageContent: '肺炎常见症状包括发热和咳嗽。', metadata: { id: 'pn' } },
  ]);
  const hit = index.search('chest pain', 1)[0];
  const hitZh = index.search('咳嗽', 1)[0];
  check(hit && hit.document.metadata.id === 'mi' && hitZh && hitZh.document.metadata.id === 'pn', 'BM25 search');
  const embedder = await ragNode.loadDefaultEmbedder();
  const e = await embedder.embedQuery('chest pain');
  const norm = Math.sqrt(e.reduce((s, x) => s + x * x, 0));
  check(e.length > 0 && Math.abs(norm - 1) < 1e-3, 'embedder norm ' + norm);
  console.log('rag: BM25 top hits mi / pn; shipped embedder from ' + ragNode.defaultEmbedderDir().replace(process.cwd(), '.') + ': ' + e.length + '-d, norm ' + norm.toFixed(4));

  const pipeline = await load('@quarkmed/pipeline');
  const pipelineNode = await load('@quarkmed/pipeline/node');
  const config = pipeline.parseRecipeConfig({});
  const textDir = pipelineNode.defaultMedicalTextDir();
  check(textDir !== undefined && textDir.startsWith(join(process.cwd(), 'node_modules')), 'defaultMedicalTextDir ' + textDir);
  const medical = await pipelineNode.readMedicalText(textDir);
  check(medical.some((d) => d.language === 'en') && medical.some((d) => d.language === 'zh'), 'readMedicalText');
  const ci = pipeline.wilsonInterval(6, 10);
  check(ci.low > 0.3 && ci.low < 0.32 && ci.high > 0.83 && ci.high < 0.84, 'wilsonInterval ' + JSON.stringify(ci));
  const commands = pipelineNode.buildProgram().commands.map((c) => c.name());
  check(commands.includes('run') && commands.includes('eval'), 'quarkmed commands ' + commands.join());
  console.log('pipeline: ' + medical.length + ' medical-text paragraphs from ' + textDir.replace(process.cwd(), '.') + ', recipe config with ' + Object.keys(config).length + ' keys, Wilson [' + ci.low.toFixed(3) + ', ' + ci.high.toFixed(3) + '], CLI commands ' + commands.join(' '));
}
main().then(() => process.exit(0), (e) => { console.error(e && e.stack ? e.stack : e); process.exit(1); });
`;
  if (kind === 'esm') return `import { createRequire } from 'node:module';\nconst require_ = createRequire(import.meta.url);\n${load}\n${body}`;
  return `'use strict';\nconst require_ = require;\n${load}\n${body}`;
}
