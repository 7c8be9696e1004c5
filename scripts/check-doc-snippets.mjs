#!/usr/bin/env node
/**
 * Extracts the TypeScript snippets of the docs and typechecks them against the workspace packages (their
 * sources, through the `@quarkmed/source` export condition: no build needed).
 *
 * Sources and modes:
 * - docs/guides/*.md — strict: every ```ts block must compile on its own (imports included). Fence info words:
 *   `ts ignore` skips a block (use sparingly: pseudo-code), `ts run` marks a block that `--run` also executes
 *   with tsx (from the repository root as the working directory).
 * - packages/*\/README.md — lenient: the READMEs show fragments with free variables (`tokenizer`, `docs`, ...), so
 *   "Cannot find name" errors are ignored there; everything else (a wrong import, an unknown option, a wrong
 *   argument type where the value is known) is reported.
 *
 * Usage: node scripts/check-doc-snippets.mjs [--run] [--verbose] [--no-typecheck] [--keep] [--only <file>...] [--list]
 * (`--keep` leaves the extracted files in examples/docs-check/.snippets; they are removed by default.)
 * Exit code 1 when a snippet fails to compile or a run snippet fails; messages name the markdown file and line.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Inside a workspace package that depends on every @quarkmed package (and the optional peers), so imports resolve. */
export const SNIPPET_DIR = join(ROOT, 'examples/docs-check/.snippets');

/** TypeScript diagnostics ignored in lenient (README) mode: undefined names of fragments. */
const LENIENT_CODES = new Set([2304, 2552, 2582, 2583, 18004]);

/**
 * Finds the fenced code blocks of one markdown text.
 *
 * @param {string} text - the markdown
 * @returns {{ lang: string, flags: string[], code: string, line: number }[]} blocks; `line` is the 1-based line of
 *   the first code line
 */
export function extractBlocks(text) {
  const lines = text.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, lang, rest] = open;
    const body = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = new RegExp(`^\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`).exec(lines[j]);
      if (close) break;
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j].trimStart());
    }
    if (j >= lines.length) throw new Error(`unterminated code fence opened at line ${i + 1}`);
    blocks.push({ lang: lang.toLowerCase(), flags: rest.split(/\s+/).filter(Boolean), code: body.join('\n'), line: i + 2 });
    i = j;
  }
  return blocks;
}

/** The markdown files checked, with their mode. */
export function snippetSources() {
  const guides = readdirSync(join(ROOT, 'docs/guides'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => ({ file: `docs/guides/${f}`, mode: 'strict' }));
  const readmes = readdirSync(join(ROOT, 'packages'))
    .sort()
    .map((p) => `packages/${p}/README.md`)
    .filter((f) => existsSync(join(ROOT, f)))
    .map((file) => ({ file, mode: 'lenient' }));
  return [...guides, ...readmes];
}

/**
 * Every TypeScript snippet of the given sources.
 *
 * @returns {{ file: string, mode: string, line: number, code: string, run: boolean, name: string }[]}
 */
export function collectSnippets(sources = snippetSources()) {
  const out = [];
  for (const { file, mode } of sources) {
    let blocks;
    try {
      blocks = extractBlocks(readFileSync(join(ROOT, file), 'utf8'));
    } catch (e) {
      throw new Error(`${file}: ${e.message}`);
    }
    for (const b of blocks) {
      if (!['ts', 'typescript', 'tsx'].includes(b.lang) || b.flags.includes('ignore')) continue;
      const name = `${file.replace(/[/.]/g, '_')}_L${b.line}.ts`;
      out.push({ file, mode, line: b.line, code: b.code, run: b.flags.includes('run'), name });
    }
  }
  return out;
}

/** Writes the snippets as modules into SNIPPET_DIR (replaced) with a tsconfig; returns the paths. */
export function writeSnippets(snippets, dir = SNIPPET_DIR) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const s of snippets) writeFileSync(join(dir, s.name), `${s.code}\n\nexport {};\n`);
  return snippets.map((s) => join(dir, s.name));
}

/**
 * Typechecks the snippets with the TypeScript compiler API.
 *
 * @returns {Promise<string[]>} one message per problem, `file:line:col: TSxxxx message`, mapped to the markdown
 */
export async function typecheckSnippets(snippets, dir = SNIPPET_DIR) {
  const ts = (await import('typescript')).default;
  const paths = writeSnippets(snippets, dir);
  const base = ts.readConfigFile(join(ROOT, 'tsconfig.base.json'), ts.sys.readFile).config;
  const parsed = ts.parseJsonConfigFileContent(
    { ...base, compilerOptions: { ...base.compilerOptions, noEmit: true, declaration: false, sourceMap: false, types: ['node'], noUnusedLocals: false } },
    ts.sys,
    dir,
  );
  const program = ts.createProgram(paths, parsed.options);
  const byPath = new Map(paths.map((p, i) => [resolve(p), snippets[i]]));
  // A README block that does not even parse as TypeScript is a signature or a shape, not code: skipped (lenient only).
  const notCode = new Set(
    program
      .getSourceFiles()
      .filter((f) => byPath.get(resolve(f.fileName))?.mode === 'lenient' && program.getSyntacticDiagnostics(f).length > 0)
      .map((f) => resolve(f.fileName)),
  );
  const problems = [];
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const snippet = d.file ? byPath.get(resolve(d.file.fileName)) : undefined;
    if (!snippet) continue; // package sources are checked by their own typecheck
    if (snippet.mode === 'lenient' && (LENIENT_CODES.has(d.code) || notCode.has(resolve(d.file.fileName)))) continue;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    problems.push(`${snippet.file}:${snippet.line + line}:${character + 1}: TS${d.code} ${text}`);
  }
  return problems;
}

/** Runs one snippet file with tsx (source condition), cwd = repository root. Resolves to { code, output }. */
export function runSnippet(path, { timeoutMs = 120_000 } = {}) {
  const tsx = join(ROOT, 'node_modules/.bin/tsx');
  return new Promise((done) => {
    const child = spawn(tsx, ['--conditions=@quarkmed/source', path], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b) => (output += b));
    child.stderr.on('data', (b) => (output += b));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code: code ?? (signal ? 137 : 1), output });
    });
  });
}

/** Runs every `ts run` snippet, two at a time; returns the failures as messages. */
export async function runSnippets(snippets, dir = SNIPPET_DIR, { log = () => {}, verbose = false } = {}) {
  const runnable = snippets.filter((s) => s.run);
  writeSnippets(snippets, dir);
  const failures = [];
  let next = 0;
  const worker = async () => {
    while (next < runnable.length) {
      const s = runnable[next++];
      const started = Date.now();
      const { code, output } = await runSnippet(join(dir, s.name));
      log(`${code === 0 ? 'ok  ' : 'FAIL'} ${s.file}:${s.line} (${((Date.now() - started) / 1000).toFixed(1)} s)${verbose ? `\n${output.trimEnd()}` : ''}`);
      if (code !== 0) failures.push(`${s.file}:${s.line}: exit ${code}\n${output.trim().split('\n').slice(-15).join('\n')}`);
    }
  };
  await Promise.all([worker(), worker()]);
  return failures;
}

async function main(argv) {
  const only = argv.includes('--only') ? argv.slice(argv.indexOf('--only') + 1).filter((a) => !a.startsWith('--')) : null;
  const sources = snippetSources().filter((s) => !only || only.includes(s.file));
  const snippets = collectSnippets(sources);
  if (argv.includes('--list')) {
    for (const s of snippets) console.log(`${s.file}:${s.line} ${s.mode}${s.run ? ' run' : ''}`);
    return 0;
  }
  let failed = false;
  try {
    failed = await check(argv, sources, snippets);
  } finally {
    // eslint does not skip dot folders: leave nothing behind for `eslint .` to find (--keep to inspect them).
    if (!argv.includes('--keep')) rmSync(SNIPPET_DIR, { recursive: true, force: true });
  }
  return failed ? 1 : 0;
}

async function check(argv, sources, snippets) {
  let failed = false;
  if (!argv.includes('--no-typecheck')) {
    const problems = await typecheckSnippets(snippets);
    for (const p of problems) console.error(p);
    console.log(`doc snippets: ${snippets.length} typechecked from ${sources.length} files, ${problems.length} problem(s)`);
    failed ||= problems.length > 0;
  }
  if (argv.includes('--run')) {
    const failures = await runSnippets(snippets, SNIPPET_DIR, { log: (m) => console.log(m), verbose: argv.includes('--verbose') });
    for (const f of failures) console.error(f);
    console.log(`doc snippets: ${snippets.filter((s) => s.run).length} run, ${failures.length} failed`);
    failed ||= failures.length > 0;
  }
  return failed;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`check-doc-snippets: ${e.message}`);
      process.exit(1);
    },
  );
}


