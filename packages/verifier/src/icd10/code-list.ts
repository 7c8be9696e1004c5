/**
 * The ICD-10-CM FY2022 code list (all 95,524 codes, CDC/NCHS, CC BY 4.0), the ICD-10 (WHO) codes derivable
 * from it and from the ICD-10 Chinese edition's categories, and the chapter/block table.
 *
 * @packageDocumentation
 */
import { VerifierError } from '../error';
import { normalizeIcd10Code } from './normalize';
import { parseTsv, readDataText } from './data-files';

/** Which code system a code is validated against. `either`: valid in ICD-10-CM or in ICD-10 (WHO). */
export type Icd10System = 'icd10cm' | 'icd10' | 'either';

/** A chapter or block: an inclusive range of 3-character categories. */
export interface Icd10Range {
  kind: 'chapter' | 'block';
  /** First category, e.g. "A00". */
  start: string;
  /** Last category, e.g. "B99". */
  end: string;
  /** Chapter number (chapters only). */
  chapter?: number;
  titleEn: string;
  titleZh: string;
}

/** Thrown for bad arguments to the code list (names the argument). */
export class Icd10CodeListError extends VerifierError {
  constructor(message: string) {
    super(message);
    this.name = 'Icd10CodeListError';
  }
}

const inRange = (cat: string, r: Icd10Range): boolean => cat >= r.start && cat <= r.end;

/**
 * Code validation and metadata. ICD-10 (WHO) validity is an approximation documented in data/README.md:
 * the 3-character categories of ICD-10-CM and of the ICD-10 Chinese edition, and the 4-character codes
 * of ICD-10-CM, plus .0-.9 under WHO-only categories such as E14 (ICD-10-CM extends WHO ICD-10 at the
 * 4th character and below, with a few differences).
 */
export class Icd10CodeList {
  private readonly cm = new Map<string, { billable: boolean; title: string }>();
  private readonly who = new Set<string>();
  private readonly zhTitles = new Map<string, string>();
  /** Chapters, in table order. */
  readonly chapters: readonly Icd10Range[];
  /** Blocks (WHO ICD-10 blocks; Chinese titles), in table order. */
  readonly blocks: readonly Icd10Range[];

  /**
   * @param dataDir - a directory holding the data files (default: the shipped `data/`)
   */
  constructor(dataDir?: string) {
    for (const [code, billable, title] of parseTsv(readDataText('icd10cm-fy2022.tsv.gz', dataDir), false)) {
      this.cm.set(code!, { billable: billable === '1', title: title ?? '' });
      if (code!.length <= 4) this.who.add(code!);
    }
    for (const [code, title] of parseTsv(readDataText('icd10-who-categories-zh.tsv', dataDir))) {
      this.who.add(code!);
      if (!this.zhTitles.has(code!)) this.zhTitles.set(code!, title ?? '');
    }
    const ranges = parseTsv(readDataText('icd10-chapters-blocks.tsv', dataDir)).map(
      ([kind, start, end, chapter, titleEn, titleZh]): Icd10Range => ({
        kind: kind === 'chapter' ? 'chapter' : 'block',
        start: start!,
        end: end!,
        ...(chapter ? { chapter: Number(chapter) } : {}),
        titleEn: titleEn ?? '',
        titleZh: titleZh ?? '',
      }),
    );
    this.chapters = ranges.filter((r) => r.kind === 'chapter');
    this.blocks = ranges.filter((r) => r.kind === 'block');
  }

  /** Number of ICD-10-CM codes (billable and header codes). */
  get sizeCm(): number {
    return this.cm.size;
  }

  /** Number of ICD-10 (WHO) codes accepted. */
  get sizeWho(): number {
    return this.who.size;
  }

  /**
   * Whether a code exists in a system. The code may be in any form {@link normalizeIcd10Code} accepts.
   *
   * @param code - e.g. "E11.9"
   * @param system - default `'icd10cm'`
   */
  has(code: string, system: Icd10System = 'icd10cm'): boolean {
    const n = normalizeIcd10Code(code);
    if (!n) return false;
    if (system === 'icd10cm') return this.cm.has(n.code);
    if (system === 'icd10') return this.hasWho(n.code);
    return this.cm.has(n.code) || this.hasWho(n.code);
  }

  private hasWho(code: string): boolean {
    if (this.who.has(code)) return true;
    // WHO-only categories (not in ICD-10-CM, e.g. E14): accept any 4th character .0-.9
    const cat = code.slice(0, 3);
    return code.length === 4 && /[0-9]$/.test(code) && this.who.has(cat) && !this.cm.has(cat);
  }

  /** Whether an ICD-10-CM code is billable (a leaf). False for unknown codes. */
  isBillable(code: string): boolean {
    const n = normalizeIcd10Code(code);
    return n ? (this.cm.get(n.code)?.billable ?? false) : false;
  }

  /** The English ICD-10-CM title (long description), or the Chinese category title, or undefined. */
  title(code: string): string | undefined {
    const n = normalizeIcd10Code(code);
    if (!n) return undefined;
    return this.cm.get(n.code)?.title ?? this.zhTitles.get(n.code);
  }

  /** The Chinese title of a 3-character category (ICD-10 Chinese edition), or undefined. */
  titleZh(code: string): string | undefined {
    const n = normalizeIcd10Code(code);
    return n ? this.zhTitles.get(n.category) : undefined;
  }

  /** All ICD-10-CM codes with their titles (no dots), in code order. */
  *entriesCm(): IterableIterator<[code: string, title: string, billable: boolean]> {
    for (const [code, v] of this.cm) yield [code, v.title, v.billable];
  }

  /** All Chinese category titles (3-character code, title). */
  *entriesZh(): IterableIterator<[code: string, title: string]> {
    yield* this.zhTitles;
  }

  /**
   * The chapter of a code (by its category), or undefined.
   *
   * @throws {@link Icd10CodeListError} when `code` is not shaped like a code
   */
  chapterOf(code: string): Icd10Range | undefined {
    const cat = this.category(code);
    return this.chapters.find((r) => inRange(cat, r));
  }

  /**
   * The block of a code (by its category), or undefined when no block covers it (e.g. chapters 20-22).
   *
   * @throws {@link Icd10CodeListError} when `code` is not shaped like a code
   */
  blockOf(code: string): Icd10Range | undefined {
    const cat = this.category(code);
    return this.blocks.find((r) => inRange(cat, r));
  }

  private category(code: string): string {
    const n = normalizeIcd10Code(code);
    if (!n) throw new Icd10CodeListError(`code: ${JSON.stringify(code)} is not an ICD-10 code`);
    return n.category;
  }
}

let shared: Icd10CodeList | undefined;

/** The shared code list read from the shipped data (loaded once, on first use; ~100 ms). */
export function getIcd10CodeList(): Icd10CodeList {
  shared ??= new Icd10CodeList();
  return shared;
}
