/**
 * The documentation checks themselves: the snippet extractor and typechecker (scripts/check-doc-snippets.mjs)
 * and the link checker (scripts/check-doc-links.mjs) find what they must find, every guide has a runnable
 * snippet, and one runnable snippet per guide runs (tsx, the workspace sources).
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

interface Snippet {
  file: string;
  mode: 'strict' | 'lenient';
  line: number;
  code: string;
  run: boolean;
  name: string;
}
interface SnippetModule {
  extractBlocks(text: string): { lang: string; flags: string[]; code: string; line: number }[];
  snippetSources(): { file: string; mode: string }[];
  collectSnippets(sources?: { file: string; mode: string }[]): Snippet[];
  typecheckSnippets(snippets: Snippet[], dir: string): Promise<string[]>;
  runSnippets(snippets: Snippet[], dir: string): Promise<string[]>;
}
interface LinkModule {
  slugify(heading: string): string;
  markdownAnchors(text: string): Set<string>;
  checkMarkdown(files?: string[]): { problems: string[]; external: { url: string }[]; checked: number };
}

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const snippets = (await import(pathToFileURL(join(ROOT, 'scripts/check-doc-snippets.mjs')).href)) as SnippetModule;
const links = (await import(pathToFileURL(join(ROOT, 'scripts/check-doc-links.mjs')).href)) as LinkModule;
/** Inside examples/docs-check, so the snippets resolve the workspace packages; gitignored. */
const SCRATCH = join(ROOT, 'examples/docs-check/.snippets-test');
/** Reference pages without runnable code (shapes and kernel contracts). */
const REFERENCE_ONLY = new Set(['docs/guides/kernels.md', 'docs/guides/model-internals.md']);

afterAll(() => rmSync(SCRATCH, { recursive: true, force: true }));

describe('snippet extraction', () => {
  it('finds fenced blocks with their language, flags and first code line', () => {
    const md = ['# T', '', '```ts run', 'const a = 1;', '```', 'text', '~~~sh', 'ls', '~~~', '', '  ```ts ignore', '  nope(', '  ```', ''].join('\n');
    const blocks = snippets.extractBlocks(md);
    expect(blocks).toEqual([
      { lang: 'ts', flags: ['run'], code: 'const a = 1;', line: 4 },
      { lang: 'sh', flags: [], code: 'ls', line: 8 },
      { lang: 'ts', flags: ['ignore'], code: 'nope(', line: 12 },
    ]);
    expect(() => snippets.extractBlocks('```ts\nconst a = 1;\n')).toThrow(/unterminated code fence opened at line 1/);
  });

  it('collects every TypeScript snippet of the guides and READMEs, skipping `ts ignore`', () => {
    const all = snippets.collectSnippets();
    expect(all.length).toBeGreaterThan(30);
    expect(all.some((s) => s.file === 'docs/guides/model-internals.md')).toBe(false); // its one block is `ts ignore`
    expect(all.filter((s) => s.mode === 'lenient').every((s) => s.file.startsWith('packages/'))).toBe(true);
  });
});

describe('snippet typecheck', () => {
  it('reports wrong imports and undefined names in guides, only wrong imports in READMEs, with markdown lines', async () => {
    const make = (file: string, mode: 'strict' | 'lenient', line: number, code: string): Snippet => ({
      file,
      mode,
      line,
      code,
      run: false,
      name: `${mode}_${line}.ts`,
    });
    const problems = await snippets.typecheckSnippets(
      [
        make('docs/guides/fake.md', 'strict', 10, "import { initBackend } from '@quarkmed/tensor-kernels';\nawait initBackend('cpu');"),
        make('docs/guides/fake.md', 'strict', 20, "import { initBackends } from '@quarkmed/tensor-kernels';\nconsole.log(initBackends);"),
        make('docs/guides/fake.md', 'strict', 30, 'console.log(undefinedThing);'),
        make('packages/fake/README.md', 'lenient', 40, 'console.log(undefinedThing);'),
        make('packages/fake/README.md', 'lenient', 50, "import { initBackend } from '@quarkmed/tensor-kernels';\nawait initBackend('gpu');"),
      ],
      SCRATCH,
    );
    expect(problems.some((p) => p.startsWith('docs/guides/fake.md:10:'))).toBe(false);
    expect(problems.some((p) => p.startsWith('docs/guides/fake.md:20:') && /TS2(305|724)/.test(p))).toBe(true);
    expect(problems.some((p) => p.startsWith('docs/guides/fake.md:30:') && p.includes('TS2304'))).toBe(true);
    expect(problems.some((p) => p.startsWith('packages/fake/README.md:40:'))).toBe(false);
    expect(problems.some((p) => p.startsWith('packages/fake/README.md:51:') && p.includes('TS2345'))).toBe(true); // 'gpu' is no backend
  });
});

describe('guides', () => {
  const all = snippets.collectSnippets();
  const guides = snippets.snippetSources().filter((s) => s.mode === 'strict' && !REFERENCE_ONLY.has(s.file));

  it('every guide is a document of the site (typedoc.json projectDocuments)', () => {
    const typedoc = JSON.parse(readFileSync(join(ROOT, 'typedoc.json'), 'utf8')) as { projectDocuments: string[] };
    const onDisk = readdirSync(join(ROOT, 'docs/guides')).filter((f) => f.endsWith('.md')).map((f) => `docs/guides/${f}`);
    expect([...typedoc.projectDocuments].sort()).toEqual(onDisk.sort());
  });

  it('every guide has at least one runnable snippet', () => {
    expect(guides.length).toBeGreaterThanOrEqual(11);
    for (const g of guides) expect(all.some((s) => s.file === g.file && s.run), `${g.file} has no \`\`\`ts run block`).toBe(true);
  });

  it('the first runnable snippet of every guide runs', { timeout: 600_000 }, async () => {
    const firstPerGuide = guides.map((g) => all.find((s) => s.file === g.file && s.run)!);
    const failures = await snippets.runSnippets(firstPerGuide, SCRATCH);
    expect(failures).toEqual([]);
  });
});

describe('link check', () => {
  it('slugs headings as GitHub does', () => {
    expect(links.slugify('1. Retrieval on PostgreSQL with pgvector')).toBe('1-retrieval-on-postgresql-with-pgvector');
    expect(links.slugify('Serve, chat and the AI SDK')).toBe('serve-chat-and-the-ai-sdk');
    expect(links.slugify('`@quarkmed/model`: tokenizer, Llama')).toBe('quarkmedmodel-tokenizer-llama');
    expect([...links.markdownAnchors('# A\n## A\n```\n# not a heading\n```\n')]).toEqual(['a', 'a-1']);
  });

  it('finds a missing file and a missing anchor, ignores code, lists external links', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qm-links-'));
    try {
      mkdirSync(join(dir, 'sub'));
      writeFileSync(join(dir, 'sub', 'b.md'), '# Bee\n\n## Second part\n');
      writeFileSync(
        join(dir, 'a.md'),
        [
          '# A',
          '[ok](sub/b.md#second-part) [ok too](#a) [folder](sub)',
          '[gone](sub/c.md) [bad anchor](sub/b.md#third-part)',
          '`[in code](nowhere.md)`',
          '```',
          '[in a block](nowhere.md)',
          '```',
          '[site](https://example.org/x)',
        ].join('\n'),
      );
      const { problems, external } = links.checkMarkdown([join(dir, 'a.md')]);
      expect(problems).toHaveLength(2);
      expect(problems[0]).toMatch(/a\.md:3: sub\/c\.md: no such file/);
      expect(problems[1]).toMatch(/a\.md:3: sub\/b\.md#third-part: no heading with the anchor #third-part/);
      expect(external.map((e) => e.url)).toEqual(['https://example.org/x']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the guides and READMEs have no broken relative link or anchor', () => {
    const { problems, checked } = links.checkMarkdown();
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(50);
  });
});
