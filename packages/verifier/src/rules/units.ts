/**
 * Units of measurement for numeric answers: a table of unit atoms and a parser for compound units
 * (numerator/denominator, products, exponents), with conversion where the dimensions agree.
 *
 * A unit is `term (sep term)*` where a term is an atom with an optional exponent (`m²`, `m2`, `m^2`, `min⁻¹`,
 * `min^-1`) and a separator is `/`, ` / ` (before a unit word), ` per `, `·`, `⋅`. After a `/` a plain number is a
 * factor (`mL/min/1.73 m²`, `1000 mL/8 h`, `10^9/L`). A unit may start with `/` (`4.5 × 10^9 /L`).
 *
 * Atoms (longest match wins; case-insensitive except the molar `mM`, `µM`, `nM`, `pM`; `µ`, `μ` and `u` alike):
 * - mass: g, kg, mg, mcg/µg, ng, pg, lb(s) and the spelled-out words; 克, 毫克, 微克, 千克, 公斤;
 * - volume: L, dL, mL, µL, cc (and the words); 升, 毫升. Volume is length³ (so mm³ = µL);
 * - length: m, cm, mm, µm, km, ft, inch(es) (and the words);
 * - time: s, sec, min, h, hr, hrs, d, wk, yr (and the words: second, minute, hour, day, week, month, year);
 *   小时, 分钟, 天;
 * - amount: mol, mmol, µmol, nmol, pmol; molar mM, µM, nM, pM; equivalents eq, mEq (only with equivalents);
 * - enzyme/international units: U, IU, unit(s), mU, mIU, kU, kIU (U and IU are treated alike);
 * - pressure: mmHg (`mm Hg`), cmH2O, kPa, Pa, torr; 毫米汞柱;
 * - energy: kcal, cal, kJ;
 * - counts (dimensionless): cells, beats, breaths, dose(s), tablet(s); bpm = beats/min; 次/分 (per minute);
 * - `%` (only compared with `%`).
 *
 * Every atom must end at a non-letter. When a `/` is followed by something that is not a unit, the whole
 * slash-joined token is returned as an unknown unit (so `mg/foo` is never read as `mg`).
 *
 * Parsing is bounded (at most {@link MAX_UNIT_CHARS} characters are examined), so it is linear in the input.
 *
 * @packageDocumentation
 */

/** Base dimensions: g, m, s, mol, eq, U (enzyme/international units), Pa, J, %. */
type DimName = 'g' | 'm' | 's' | 'mol' | 'eq' | 'U' | 'Pa' | 'J' | '%';
/** A dimension vector (base dimension → exponent; zero exponents absent). */
export type Dims = Readonly<Partial<Record<DimName, number>>>;

/** A parsed unit: `value [unit] = value × factor [base units of dims]`. */
export interface ParsedUnit {
  /** Multiplier to the base units (g, m, s, mol, eq, U, Pa, J). */
  factor: number;
  dims: Dims;
}

/** The most characters a unit may span. */
export const MAX_UNIT_CHARS = 48;

type Atom = [number, Dims];
const MASS: Dims = { g: 1 };
const VOL: Dims = { m: 3 };
const LEN: Dims = { m: 1 };
const TIME: Dims = { s: 1 };
const AMOUNT: Dims = { mol: 1 };
const MOLAR: Dims = { mol: 1, m: -3 };
const NONE: Dims = {};

const LB = 453.59237;
const L = 1e-3; // m³
const atomTable: Record<string, Atom> = {
  g: [1, MASS], kg: [1000, MASS], mg: [1e-3, MASS], mcg: [1e-6, MASS], 'µg': [1e-6, MASS], ng: [1e-9, MASS], pg: [1e-12, MASS],
  lb: [LB, MASS], lbs: [LB, MASS],
  gram: [1, MASS], grams: [1, MASS], milligram: [1e-3, MASS], milligrams: [1e-3, MASS], microgram: [1e-6, MASS],
  micrograms: [1e-6, MASS], nanogram: [1e-9, MASS], nanograms: [1e-9, MASS], kilogram: [1000, MASS], kilograms: [1000, MASS],
  pound: [LB, MASS], pounds: [LB, MASS],
  克: [1, MASS], 毫克: [1e-3, MASS], 微克: [1e-6, MASS], 千克: [1000, MASS], 公斤: [1000, MASS],
  l: [L, VOL], dl: [0.1 * L, VOL], ml: [1e-3 * L, VOL], 'µl': [1e-6 * L, VOL], cc: [1e-3 * L, VOL],
  liter: [L, VOL], liters: [L, VOL], litre: [L, VOL], litres: [L, VOL], milliliter: [1e-3 * L, VOL], milliliters: [1e-3 * L, VOL],
  millilitre: [1e-3 * L, VOL], millilitres: [1e-3 * L, VOL], microliter: [1e-6 * L, VOL], microliters: [1e-6 * L, VOL],
  deciliter: [0.1 * L, VOL], deciliters: [0.1 * L, VOL], 升: [L, VOL], 毫升: [1e-3 * L, VOL],
  m: [1, LEN], cm: [0.01, LEN], mm: [1e-3, LEN], 'µm': [1e-6, LEN], km: [1000, LEN], ft: [0.3048, LEN], inch: [0.0254, LEN],
  inches: [0.0254, LEN], meter: [1, LEN], meters: [1, LEN], metre: [1, LEN], metres: [1, LEN], centimeter: [0.01, LEN],
  centimeters: [0.01, LEN], centimetre: [0.01, LEN], centimetres: [0.01, LEN],
  s: [1, TIME], sec: [1, TIME], secs: [1, TIME], second: [1, TIME], seconds: [1, TIME], min: [60, TIME], mins: [60, TIME],
  minute: [60, TIME], minutes: [60, TIME], h: [3600, TIME], hr: [3600, TIME], hrs: [3600, TIME], hour: [3600, TIME],
  hours: [3600, TIME], d: [86400, TIME], day: [86400, TIME], days: [86400, TIME], wk: [604800, TIME], wks: [604800, TIME],
  week: [604800, TIME], weeks: [604800, TIME], month: [2629800, TIME], months: [2629800, TIME], yr: [31557600, TIME],
  yrs: [31557600, TIME], year: [31557600, TIME], years: [31557600, TIME], 小时: [3600, TIME], 分钟: [60, TIME], 天: [86400, TIME],
  mol: [1, AMOUNT], mmol: [1e-3, AMOUNT], 'µmol': [1e-6, AMOUNT], nmol: [1e-9, AMOUNT], pmol: [1e-12, AMOUNT],
  eq: [1, { eq: 1 }], meq: [1e-3, { eq: 1 }], 'µeq': [1e-6, { eq: 1 }],
  u: [1, { U: 1 }], iu: [1, { U: 1 }], unit: [1, { U: 1 }], units: [1, { U: 1 }], mu: [1e-3, { U: 1 }], miu: [1e-3, { U: 1 }],
  ku: [1000, { U: 1 }], kiu: [1000, { U: 1 }],
  mmhg: [133.322387415, { Pa: 1 }], 'mm hg': [133.322387415, { Pa: 1 }], torr: [133.322368421, { Pa: 1 }],
  cmh2o: [98.0665, { Pa: 1 }], 'cm h2o': [98.0665, { Pa: 1 }], kpa: [1000, { Pa: 1 }], pa: [1, { Pa: 1 }],
  毫米汞柱: [133.322387415, { Pa: 1 }],
  kcal: [4184, { J: 1 }], cal: [4.184, { J: 1 }], kj: [1000, { J: 1 }],
  cell: [1, NONE], cells: [1, NONE], beat: [1, NONE], beats: [1, NONE], breath: [1, NONE], breaths: [1, NONE],
  dose: [1, NONE], doses: [1, NONE], tablet: [1, NONE], tablets: [1, NONE], bpm: [1 / 60, { s: -1 }],
  '次/分': [1 / 60, { s: -1 }], '次/分钟': [1 / 60, { s: -1 }],
  '%': [1, { '%': 1 }],
};
/** Case-sensitive atoms, tried first (molar concentrations; `M` alone is not a unit: it reads as "million"). */
const caseAtomTable: Record<string, Atom> = {
  mM: [1e-3 / L, MOLAR], 'µM': [1e-6 / L, MOLAR], nM: [1e-9 / L, MOLAR], pM: [1e-12 / L, MOLAR],
};
// Maps, not objects: "constructor" or "__proto__" in a completion must not look up Object.prototype.
const atoms = new Map(Object.entries(atomTable));
const caseAtoms = new Map(Object.entries(caseAtomTable));
const MAX_ATOM = Math.max(...[...atoms.keys(), ...caseAtoms.keys()].map((k) => k.length));

const ATOM_CHAR = /[A-Za-zµμ%\u4e00-\u9fff 2/]/;

function isLetter(c: string | undefined): boolean {
  if (c === undefined) return false;
  const k = c.charCodeAt(0);
  return (k >= 65 && k <= 90) || (k >= 97 && k <= 122) || c === 'µ' || c === 'μ';
}
function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}
function isCjk(c: string | undefined): boolean {
  return c !== undefined && c >= '\u4e00' && c <= '\u9fff';
}

/** Micro signs folded to `µ` (a leading `u` is looked up as `µ` too, in {@link atomAt}). */
function foldMicro(s: string): string {
  return s.indexOf('μ') < 0 ? s : s.replace(/μ/g, 'µ');
}

/** The longest atom at `p`: [atom, end] or null. The atom must not be followed by a letter. */
function atomAt(text: string, p: number): [Atom, number] | null {
  // only characters that occur in atoms can be part of one (keeps the common case to a lookup or two)
  let run = 0;
  const max = Math.min(MAX_ATOM, text.length - p);
  while (run < max && ATOM_CHAR.test(text[p + run]!)) run++;
  for (let len = run; len >= 1; len--) {
    const next = text[p + len];
    if (isLetter(next)) continue;
    const raw = foldMicro(text.slice(p, p + len));
    const a = caseAtoms.get(raw) ?? (raw[0] === 'u' ? caseAtoms.get('µ' + raw.slice(1)) : undefined);
    if (a) return [a, p + len];
    if (raw === 'M') continue;
    const low = raw.toLowerCase();
    const b = atoms.get(low) ?? (len > 1 && low[0] === 'u' && low !== 'units' && low !== 'unit' ? atoms.get('µ' + low.slice(1)) : undefined);
    if (b) return [b, p + len];
  }
  return null;
}

const SUPER: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, { '⁰': '0', '¹': '1', '²': '2', '³': '3', '⁴': '4', '⁵': '5', '⁶': '6', '⁷': '7', '⁸': '8', '⁹': '9', '⁻': '-' });

/** An exponent at `p` (`²`, `⁻¹`, `^2`, `^-1`, `2`, `3`): [exponent, end]; [1, p] when none. */
function exponentAt(text: string, p: number): [number, number] {
  let i = p;
  if (text[i] === '^') {
    const m = /\(?([-−]?\d)\)?/y;
    m.lastIndex = i + 1;
    const r = m.exec(text);
    if (r) return [Number(r[1]!.replace('−', '-')), i + 1 + r[0].length];
    return [1, p];
  }
  if (text[i]! in SUPER) {
    let s = '';
    while (i < text.length && i - p < 3 && text[i]! in SUPER) s += SUPER[text[i++]!];
    const e = Number(s);
    return Number.isInteger(e) && e !== 0 ? [e, i] : [1, p];
  }
  if ((text[i] === '2' || text[i] === '3') && !isDigit(text[i + 1]) && text[i + 1] !== '.' && !isLetter(text[i + 1])) {
    return [Number(text[i]), i + 1];
  }
  return [1, p];
}

/** A number factor after `/` (`1.73`, `8`, `10^9`): [factor, end] or null. */
function factorAt(text: string, p: number): [number, number] | null {
  const m = /(\d{1,6}(?:\.\d{1,6})?)(?:\^(\d{1,2})|([⁰¹²³⁴⁵⁶⁷⁸⁹]{1,2}))?/y;
  m.lastIndex = p;
  const r = m.exec(text);
  if (!r) return null;
  let v = Number(r[1]);
  if (r[2]) v = v ** Number(r[2]);
  if (r[3]) v = v ** Number([...r[3]].map((c) => SUPER[c]).join(''));
  return v > 0 && Number.isFinite(v) ? [v, p + r[0].length] : null;
}

function addDims(acc: Partial<Record<DimName, number>>, d: Dims, k: number): void {
  for (const [name, e] of Object.entries(d) as Array<[DimName, number]>) {
    const v = (acc[name] ?? 0) + e * k;
    if (v === 0) delete acc[name];
    else acc[name] = v;
  }
}

/** A separator at `p`: ['/' | '*', end] or null. */
function sepAt(text: string, p: number): ['/' | '*', number] | null {
  const c = text[p];
  if (c === '/') return ['/', p + 1];
  if (c === '·' || c === '⋅') return ['*', p + 1];
  // " / unit" and " per unit" (a unit word must follow; checked by the caller)
  const m = /[ \t]+(?:\/|per)[ \t]+|[ \t]+\/(?=[A-Za-zµμ%])/y;
  m.lastIndex = p;
  const r = m.exec(text);
  if (r) return ['/', p + r[0].length];
  return null;
}

/**
 * Parses a unit at `p` (no leading space is skipped). Returns the unit text, its end, and the parsed unit
 * (null when the text is unit-like but unknown, e.g. `mg/foo`); null when no unit starts at `p`.
 */
export function parseUnitAt(text: string, p: number): { text: string; end: number; unit: ParsedUnit | null } | null {
  const limit = Math.min(text.length, p + MAX_UNIT_CHARS);
  const dims: Partial<Record<DimName, number>> = {};
  let factor = 1;
  let i = p;
  let sign = 1;
  let terms = 0;
  let end = p;
  let bareSlash = false;
  if (text[i] === '/' && isLetter(text[i + 1])) {
    sign = -1;
    i++;
  }
  for (let guard = 0; guard < 8 && i < limit; guard++) {
    let got = false;
    if (sign < 0) {
      const f = factorAt(text, i);
      if (f) {
        factor /= f[0];
        i = f[1];
        if (text[i] === ' ' && !isDigit(text[i + 1])) i++;
        got = true;
      }
    }
    const a = atomAt(text, i);
    if (a) {
      const [e, after] = exponentAt(text, a[1]);
      factor *= a[0][0] ** (sign * e);
      addDims(dims, a[0][1], sign * e);
      i = after;
      got = true;
    } else if (got) {
      // a bare number after "/" only counts when a unit follows it ("/1.73 m²", "/8 h")
      break;
    }
    if (!got) {
      if (terms === 0) return null;
      // "mg/foo": unit-like but unknown — the whole token is the unit, unparsed
      const m = /[A-Za-zµμ0-9²³]+/y;
      m.lastIndex = i;
      const r = m.exec(text);
      if (r && bareSlash && isLetter(text[i])) return { text: text.slice(p, i + r[0].length), end: i + r[0].length, unit: null };
      break;
    }
    terms++;
    end = i;
    const s = sepAt(text, i);
    if (!s) break;
    const nextIsUnit = isLetter(text[s[1]]) || isCjk(text[s[1]]) || (s[0] === '/' && text[i] === '/' && isDigit(text[s[1]]));
    if (!nextIsUnit) break;
    sign = s[0] === '/' ? -1 : 1;
    bareSlash = s[1] === i + 1 && text[i] === '/';
    i = s[1];
  }
  if (terms === 0) return null;
  return { text: text.slice(p, end), end, unit: { factor, dims } };
}

/** Parses a whole unit string (`'mL/h'`, `'kg/m²'`); null when it is not (entirely) a known unit. */
export function parseUnit(unit: string): ParsedUnit | null {
  let s = unit.trim();
  let scale = 1;
  // a leading power of ten: "10^9/L", "× 10⁹/L"
  const m = /^(?:[x×*][ \t]*)?10(?:\^\(?([-−]?\d{1,2})\)?|([⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,2}))[ \t]*/.exec(s);
  if (m) {
    const e = m[1] ? Number(m[1].replace('−', '-')) : Number([...m[2]!].map((c) => SUPER[c]).join(''));
    scale = 10 ** e;
    s = s.slice(m[0].length);
  }
  if (s === '') return null;
  const r = parseUnitAt(s, 0);
  if (!r || !r.unit || r.end !== s.length) return null;
  return scale === 1 ? r.unit : { factor: r.unit.factor * scale, dims: r.unit.dims };
}

function sameDims(a: Dims, b: Dims): boolean {
  const ka = Object.keys(a) as DimName[];
  const kb = Object.keys(b) as DimName[];
  return ka.length === kb.length && ka.every((k) => a[k] === b[k]);
}

/** Canonical spelling for comparing unknown units as written: lower case, `μ`→`µ`, no spaces. */
export function unitKey(u: string): string {
  return u.trim().toLowerCase().replace(/μ/g, 'µ').replace(/\s+/g, '');
}

/**
 * Converts `value` from unit `from` to unit `to`; null when they are not convertible. Units convert when their
 * dimensions agree (`mL/h` ↔ `L/day`, `mg/dL` ↔ `g/L`, `kg/m²` ↔ `g/cm²`); mass ↔ amount (`mg/dL` ↔ `mmol/L`)
 * only with `molarMass`. Unknown units convert only to the same unit as written (case-insensitive).
 *
 * @param molarMass - g/mol, allows mass ↔ molar conversion.
 */
export function convertUnit(value: number, from: string, to: string, molarMass?: number): number | null {
  if (unitKey(from) === unitKey(to)) return value;
  const a = parseUnit(from);
  const b = parseUnit(to);
  if (!a || !b) return null;
  if (sameDims(a.dims, b.dims)) return (value * a.factor) / b.factor;
  if (molarMass !== undefined && molarMass > 0) {
    // a has one mol where b has one g (or the reverse)
    const diff: Partial<Record<DimName, number>> = { ...a.dims };
    addDims(diff, b.dims, -1);
    if (sameDims(diff, { mol: 1, g: -1 })) return (value * a.factor * molarMass) / b.factor;
    if (sameDims(diff, { g: 1, mol: -1 })) return (value * a.factor) / molarMass / b.factor;
  }
  return null;
}
