#!/usr/bin/env node
/**
 * Checks the links of the documentation, offline.
 *
 * - Markdown: README.md, packages/*\/README.md, examples/*\/README.md, data/**\/README.md, docs/**\/*.md. Every
 *   relative link (`[text](path)`, `[text](path#anchor)`, `[text](#anchor)`, `<img src>`) must name an existing
 *   file or folder; an anchor into a markdown file must match one of its headings (GitHub's slugs).
 * - The built site (docs/api, when present; `pnpm run docs` builds it): every relative `href`/`src` must name an
 *   existing file, and a `#fragment` an `id` or `name` in that page.
 * - External links (http, https, mailto) are never fetched (no network here): they are listed, counted per host,
 *   with `--external`.
 *
 * Usage: node scripts/check-doc-links.mjs [--no-site] [--external]
 * Exit code 1 when a relative link or anchor does not resolve; each problem names the file and line.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SITE = join(ROOT, 'docs/api');
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'api', 'runs', '.snippets', '.turbo', 'coverage']);

/** GitHub's heading slug: lower case, punctuation removed (except - and _), spaces to dashes. */
export function slugify(heading) {
  return heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]+>/g, '')
    .replace(/[`*_~]/g, (c) => (c === '_' ? '_' : ''))
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Removes fenced code blocks and inline code (links inside them are not links), keeping line numbers. */
function stripCode(text) {
  const lines = text.split('\n');
  let fence = null;
  return lines
    .map((line) => {
      const m = /^\s*(`{3,}|~{3,})/.exec(line);
      if (fence) {
        if (m && m[1][0] === fence[0] && m[1].length >= fence.length && line.trim() === m[1]) fence = null;
        return '';
      }
      if (m) {
        fence = m[1];
        return '';
      }
      return line.replace(/(`+)[^`]*?\1/g, (s) => ' '.repeat(s.length));
    })
    .join('\n');
}

/** The anchors a markdown file defines: heading slugs (with GitHub's -1, -2 for repeats) and explicit ids. */
export function markdownAnchors(text) {
  const anchors = new Set();
  const counts = new Map();
  for (const line of stripCode(text).split('\n')) {
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      const base = slugify(h[1]);
      const n = counts.get(base) ?? 0;
      counts.set(base, n + 1);
      anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const m of line.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(m[1]);
  }
  return anchors;
}

/** The links of a markdown text: `{ target, line }`. */
export function markdownLinks(text) {
  const links = [];
  stripCode(text)
    .split('\n')
    .forEach((line, i) => {
      for (const m of line.matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ target: m[1], line: i + 1 });
      for (const m of line.matchAll(/<(?:img|a)\s[^>]*(?:src|href)="([^"]+)"/g)) links.push({ target: m[1], line: i + 1 });
      for (const m of line.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/g)) links.push({ target: m[1], line: i + 1 });
    });
  return links;
}

function walk(dir, keep, out = []) {
  for (const name of readdirSync(dir)) {
    if (SKIP_DIRS.has(name)) continue;
    const p = join(dir, name);
    const s = statSync(p);
    if (s.isDirectory()) walk(p, keep, out);
    else if (keep(p)) out.push(p);
  }
  return out;
}

/** The markdown files checked. */
export function markdownFiles() {
  const files = [join(ROOT, 'README.md')];
  for (const top of ['packages', 'examples']) {
    for (const name of readdirSync(join(ROOT, top))) {
      const f = join(ROOT, top, name, 'README.md');
      if (existsSync(f)) files.push(f);
    }
  }
  if (existsSync(join(ROOT, 'data'))) files.push(...walk(join(ROOT, 'data'), (p) => p.endsWith('README.md')));
  files.push(...walk(join(ROOT, 'docs'), (p) => p.endsWith('.md')));
  return [...new Set(files)].sort();
}

const isExternal = (t) => /^[a-z][a-z0-9+.-]*:/i.test(t);

/**
 * Checks the links of markdown files.
 *
 * @returns {{ problems: string[], external: { file: string, line: number, url: string }[], checked: number }}
 */
export function checkMarkdown(files = markdownFiles()) {
  const problems = [];
  const external = [];
  const anchorCache = new Map();
  const anchorsOf = (file) => {
    if (!anchorCache.has(file)) anchorCache.set(file, markdownAnchors(readFileSync(file, 'utf8')));
    return anchorCache.get(file);
  };
  let checked = 0;
  for (const file of files) {
    const rel = relative(ROOT, file);
    for (const { target, line } of markdownLinks(readFileSync(file, 'utf8'))) {
      checked++;
      if (isExternal(target)) {
        external.push({ file: rel, line, url: target });
        continue;
      }
      const [pathPart, anchor] = target.split('#', 2);
      const dest = pathPart === '' ? file : resolve(dirname(file), decodeURIComponent(pathPart));
      if (!existsSync(dest)) {
        problems.push(`${rel}:${line}: ${target}: no such file (${relative(ROOT, dest)})`);
        continue;
      }
      if (anchor !== undefined && anchor !== '' && dest.endsWith('.md') && !anchorsOf(dest).has(decodeURIComponent(anchor))) {
        problems.push(`${rel}:${line}: ${target}: no heading with the anchor #${anchor} in ${relative(ROOT, dest)}`);
      }
    }
  }
  return { problems, external, checked };
}

/** Checks the relative links and fragments of the built HTML site in `siteDir`. */
export function checkSite(siteDir = SITE) {
  const problems = [];
  const external = [];
  const pages = walk(siteDir, (p) => p.endsWith('.html'));
  const idCache = new Map();
  const idsOf = (file) => {
    if (!idCache.has(file)) {
      const html = readFileSync(file, 'utf8');
      idCache.set(file, new Set([...html.matchAll(/\s(?:id|name)="([^"]+)"/g)].map((m) => m[1])));
    }
    return idCache.get(file);
  };
  let checked = 0;
  for (const page of pages) {
    const html = readFileSync(page, 'utf8');
    const rel = relative(ROOT, page);
    for (const m of html.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
      const target = m[1].replace(/&amp;/g, '&');
      checked++;
      if (isExternal(target)) {
        external.push({ file: rel, line: 0, url: target });
        continue;
      }
      const [pathPart, anchor] = target.split('#', 2);
      const dest = pathPart === '' ? page : resolve(dirname(page), decodeURIComponent(pathPart.split('?')[0]));
      if (!existsSync(dest)) {
        problems.push(`${rel}: ${target}: no such file`);
        continue;
      }
      // Fragments into the icon sprite (assets/icons.svg#icon-x) and into non-HTML files are not checked.
      if (anchor && dest.endsWith('.html') && !idsOf(dest).has(decodeURIComponent(anchor))) {
        problems.push(`${rel}: ${target}: no element with id "${anchor}" in ${relative(ROOT, dest)}`);
      }
    }
  }
  return { problems, external, checked, pages: pages.length };
}

function main(argv) {
  const md = checkMarkdown();
  for (const p of md.problems) console.error(p);
  console.log(`doc links (markdown): ${md.checked} links in ${markdownFiles().length} files, ${md.problems.length} broken, ${md.external.length} external (not fetched)`);
  let problems = md.problems.length;
  let external = md.external;
  if (!argv.includes('--no-site')) {
    if (!existsSync(join(SITE, 'index.html'))) {
      console.error(`doc links (site): ${relative(ROOT, SITE)}/index.html not found; run \`pnpm run docs\` first (or pass --no-site)`);
      return 1;
    }
    const site = checkSite();
    for (const p of site.problems.slice(0, 200)) console.error(p);
    if (site.problems.length > 200) console.error(`... and ${site.problems.length - 200} more`);
    console.log(`doc links (site): ${site.checked} links in ${site.pages} pages, ${site.problems.length} broken, ${site.external.length} external (not fetched)`);
    problems += site.problems.length;
    external = external.concat(site.external);
  }
  const hosts = new Map();
  for (const e of external) {
    let host;
    try {
      host = new URL(e.url).host || e.url.split(':')[0];
    } catch {
      host = e.url;
    }
    hosts.set(host, (hosts.get(host) ?? 0) + 1);
  }
  console.log(`external hosts (not fetched): ${[...hosts].sort((a, b) => b[1] - a[1]).map(([h, n]) => `${h} ${n}`).join(', ')}`);
  if (argv.includes('--external')) for (const e of external) console.log(`  ${e.file}${e.line ? `:${e.line}` : ''} ${e.url}`);
  return problems > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exit(main(process.argv.slice(2)));
}
