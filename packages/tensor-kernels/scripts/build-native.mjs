#!/usr/bin/env node
/**
 * Builds the native kernel addon of the `native` backend (native/src/addon.cc + csrc/*.c compiled for
 * this CPU) into native/build/quarkmed-native.node, and records the outcome in native/build/status.json,
 * which `initBackend` reads to say why `native` is unavailable.
 *
 *   node scripts/build-native.mjs            # the package's `install` script: never exits non-zero
 *   node scripts/build-native.mjs --strict   # exit 1 when the addon could not be built
 *   node scripts/build-native.mjs --force    # rebuild even when status.json says it is up to date
 *
 * Needs a C and a C++ compiler (CC / CXX, else gcc/g++, else clang/clang++) and Node's headers
 * (node_api.h: next to the node binary in ../include/node, /usr/include/node, node-gyp's cache, or
 * QUARKMED_NODE_INCLUDE). Uses, when they work: -march=native (the CPU it is built on: AVX-512, AVX2,
 * NEON), OpenMP (-fopenmp, libgomp) and OpenBLAS (-lopenblas, cblas.h; Debian: libopenblas-dev); each one
 * that fails is dropped and the reason recorded. QUARKMED_NATIVE=0 skips the build; QUARKMED_NATIVE_BLAS=0
 * builds the portable GEMM instead of linking OpenBLAS.
 *
 * Why not node-gyp: it downloads Node's headers from nodejs.org (unreachable on machines that only reach
 * the npm registry) and needs Python's gyp; one compiler call per file needs neither.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'native', 'build');
const addonFile = join(outDir, 'quarkmed-native.node');
const statusFile = join(outDir, 'status.json');
const strict = process.argv.includes('--strict');
const force = process.argv.includes('--force');

function writeAtomic(file, text) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

function record(status) {
  mkdirSync(outDir, { recursive: true });
  // a failed build leaves no addon behind: a stale one would not match the recorded status
  if (!status.built) rmSync(addonFile, { force: true });
  writeAtomic(statusFile, JSON.stringify({ ...status, node: process.version, platform: `${process.platform}-${process.arch}`, at: new Date().toISOString() }, null, 2) + '\n');
  const line = status.built
    ? `@quarkmed/tensor-kernels: native addon built (${status.flags.join(' ')}; ${status.blas}; ${status.notes.join('; ') || 'all features'})`
    : `@quarkmed/tensor-kernels: native addon not built (${status.reason}); the 'native' backend is unavailable, 'auto' uses wasm`;
  console.log(line);
  if (strict && !status.built) process.exit(1);
  process.exit(0);
}

function run(cmd, args) {
  try {
    execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: root });
    return { ok: true };
  } catch (error) {
    const stderr = error.stderr ? String(error.stderr) : String(error.message ?? error);
    return { ok: false, error: stderr.trim().split('\n').slice(0, 6).join(' | ') };
  }
}

function found(cmd) {
  return run(cmd, ['--version']).ok;
}

if (process.env.QUARKMED_NATIVE === '0') record({ built: false, reason: 'skipped: QUARKMED_NATIVE=0 was set at install' });

const cc = [process.env.CC, 'gcc', 'clang', 'cc'].find((c) => c && found(c));
const cxx = [process.env.CXX, 'g++', 'clang++', 'c++'].find((c) => c && found(c));
if (!cc || !cxx) {
  record({ built: false, reason: `no ${!cc ? 'C' : 'C++'} compiler found (install g++, e.g. apt-get install g++, or set CC/CXX)` });
}

const includeCandidates = [
  process.env.QUARKMED_NODE_INCLUDE,
  join(dirname(process.execPath), '..', 'include', 'node'),
  join(homedir(), '.cache', 'node-gyp', process.versions.node, 'include', 'node'),
  '/usr/include/node',
  '/usr/local/include/node',
].filter(Boolean);
const nodeInclude = includeCandidates.find((d) => existsSync(join(d, 'node_api.h')));
if (!nodeInclude) {
  record({ built: false, reason: `Node's headers (node_api.h) not found in ${includeCandidates.join(', ')}: set QUARKMED_NODE_INCLUDE` });
}

const sources = [
  ...readdirSync(join(root, 'csrc')).filter((f) => /\.(c|h)$/.test(f)).map((f) => join('csrc', f)),
  ...readdirSync(join(root, 'native', 'src')).filter((f) => /\.(cc|c|h)$/.test(f)).map((f) => join('native', 'src', f)),
  join('native', 'src', 'shim', 'wasm_simd128.h'),
  join('scripts', 'build-native.mjs'),
].sort();
const hash = createHash('sha256');
for (const f of sources) hash.update(f).update('\0').update(readFileSync(join(root, f))).update('\0');
hash.update(`${cc}\0${cxx}\0${process.version}\0${process.arch}`);
const sourceHash = hash.digest('hex');

if (!force && existsSync(addonFile) && existsSync(statusFile)) {
  try {
    const previous = JSON.parse(readFileSync(statusFile, 'utf8'));
    if (previous.built && previous.sourceHash === sourceHash) {
      console.log('@quarkmed/tensor-kernels: native addon up to date');
      process.exit(0);
    }
  } catch {
    // rebuild
  }
}

const tmpDir = join(outDir, `tmp-${process.pid}`);
mkdirSync(tmpDir, { recursive: true });
const notes = [];

/** Tries a build with the given feature set; returns the error text or null. */
function build(features) {
  const flags = ['-O3', '-fPIC', '-fno-math-errno', '-fvisibility=hidden'];
  if (features.native) flags.push('-march=native');
  if (features.openmp) flags.push('-fopenmp');
  const defines = features.blas ? [] : ['-DQM_NO_BLAS'];
  const objects = [];
  for (const c of ['csrc/rowwise.c', 'csrc/attention.c', 'native/src/softmax.c']) {
    const obj = join(tmpDir, c.replace(/^.*\//, '').replace(/\.c$/, '.o'));
    const include = ['-I', join(root, 'native', 'src', 'shim'), '-I', join(root, 'csrc')];
    // attention's per-head products through BLAS (native/src/blas-gemm.h replaces csrc/gemm.h) when it is linked
    const gemm = features.blas && c === 'csrc/attention.c' ? ['-include', join(root, 'native', 'src', 'blas-gemm.h')] : [];
    const r = run(cc, [...flags, '-std=c11', '-Wno-attributes', '-Wno-unknown-attributes', '-Wno-unknown-warning-option', ...include, ...gemm, '-c', join(root, c), '-o', obj]);
    if (!r.ok) return { error: `${cc} ${c}: ${r.error}` };
    objects.push(obj);
  }
  const out = join(tmpDir, 'quarkmed-native.node');
  const libs = [...(features.blas ? ['-lopenblas'] : []), ...(features.openmp ? ['-fopenmp'] : []), '-lm'];
  const r = run(cxx, [...flags, '-std=c++17', '-shared', ...defines, '-I', nodeInclude, '-I', join(root, 'native', 'src'), join(root, 'native', 'src', 'addon.cc'), ...objects, ...libs, '-o', out]);
  if (!r.ok) return { error: `${cxx} addon.cc: ${r.error}` };
  return { out, flags, features };
}

let features = { native: true, openmp: true, blas: process.env.QUARKMED_NATIVE_BLAS !== '0' };
if (!features.blas) notes.push('without OpenBLAS: QUARKMED_NATIVE_BLAS=0');
let result = build(features);
for (const drop of ['native', 'blas', 'openmp']) {
  if (!result.error) break;
  const why = result.error;
  features = { ...features, [drop]: false };
  const next = build(features);
  if (!next.error) {
    notes.push(`without ${drop === 'native' ? '-march=native' : drop === 'blas' ? 'OpenBLAS (portable GEMM)' : 'OpenMP (one thread)'}: ${why.slice(0, 300)}`);
  }
  result = next;
}
if (result.error) {
  rmSync(tmpDir, { recursive: true, force: true });
  record({ built: false, reason: `compile error: ${result.error.slice(0, 600)}`, sourceHash });
}

// Load it once in a child process: a missing shared library (libopenblas.so.0, libgomp.so.1) shows here.
const probe = run(process.execPath, ['-e', `const a = require(${JSON.stringify(result.out)}); if (typeof a.gemm !== 'function') throw new Error('no gemm export');`]);
if (!probe.ok) {
  rmSync(tmpDir, { recursive: true, force: true });
  record({ built: false, reason: `built but does not load: ${probe.error.slice(0, 400)}`, sourceHash });
}
renameSync(result.out, addonFile);
rmSync(tmpDir, { recursive: true, force: true });
record({
  built: true,
  file: 'native/build/quarkmed-native.node',
  compiler: `${cc} / ${cxx}`,
  flags: result.flags,
  blas: result.features.blas ? 'OpenBLAS (-lopenblas)' : 'no BLAS: portable GEMM',
  openmp: result.features.openmp,
  notes,
  sourceHash,
});
