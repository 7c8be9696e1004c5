/**
 * A web-style global `Worker` for Node.js, so that Emscripten pthread builds written for the browser
 * (here: the threaded SIMD build of `@tensorflow/tfjs-backend-wasm`) can start their workers in Node.
 *
 * Why it is needed: tfjs-backend-wasm creates its pthread workers with `new Worker(blobURL)`, where the
 * blob holds the Emscripten worker script, and then posts the main script to each worker as another
 * `Blob` (`mainScriptUrlOrBlob`). Node has no global `Worker`, and `worker_threads.Worker` refuses
 * `blob:` URLs; the worker script's own Node branch reads `importScripts(url)` with `fs`, which cannot
 * read `blob:` URLs either.
 *
 * What it does:
 * - Main thread: {@link installNodeWorkerShim} defines `globalThis.Worker` as a subclass of
 *   `worker_threads.Worker` that accepts `blob:` URLs (resolved with `buffer.resolveObjectURL`). Since
 *   `Blob#text()` is asynchronous while `new Worker()` is synchronous, the worker starts with a small
 *   bootstrap; the source follows as the first message, and messages posted before it are queued.
 *   Assignments to `globalThis.Worker` are ignored while the shim is installed (Emscripten's Node branch
 *   assigns `worker_threads.Worker` to it at start-up).
 * - Worker thread: the bootstrap emulates the web-worker API (`self`, `onmessage`, `postMessage`,
 *   `addEventListener`, `close`, `importScripts`, `location`), reads every `Blob` found in an incoming
 *   message before delivering it (in order), makes `importScripts` accept `blob:` URLs of those blobs, and
 *   defines the few bundle-level helpers that the `toString()` of tfjs-backend-wasm's Node bundle refers
 *   to (`require$$0`, `commonjsGlobal`, `__values`, …) so the main script can run in the worker.
 *
 * Node-only: this module is loaded with a dynamic import from `setup-wasm.ts` when running in Node and
 * reaches Node built-ins at run time only.
 *
 * @packageDocumentation
 */

/** The first message sent to a shimmed worker: the source of its script. */
const CODE_MESSAGE_KEY = '__qmWorkerShimCode';

/**
 * Runs in the worker thread (`eval: true`, CommonJS). Receives the script source as its first message and
 * then dispatches messages to the script in order, reading Blobs first.
 */
const WORKER_BOOTSTRAP = String.raw`
'use strict';
const realRequire = require;
const wt = realRequire('node:worker_threads');
const fs = realRequire('node:fs');
const port = wt.parentPort;
const g = globalThis;

const nodeListeners = [];
const webListeners = [];
const sourceByBlob = new WeakMap();
const sourceByUrl = new Map();
const queue = [];
let pumping = false;
let scriptLoaded = false;

// worker_threads as the script sees it: its parentPort 'message' listeners go through our ordered queue.
const portProxy = new Proxy(port, {
  get(target, prop) {
    if (prop === 'on' || prop === 'addListener' || prop === 'once') {
      return (event, fn) => {
        if (event !== 'message') { target[prop](event, fn); return portProxy; }
        if (prop === 'once') {
          const wrapped = (data) => { removeNode(wrapped); fn(data); };
          nodeListeners.push(wrapped);
        } else nodeListeners.push(fn);
        return portProxy;
      };
    }
    if (prop === 'off' || prop === 'removeListener') {
      return (event, fn) => {
        if (event !== 'message') { target[prop](event, fn); return portProxy; }
        removeNode(fn);
        return portProxy;
      };
    }
    const value = Reflect.get(target, prop);
    return typeof value === 'function' ? value.bind(target) : value;
  },
});
function removeNode(fn) { const i = nodeListeners.indexOf(fn); if (i >= 0) nodeListeners.splice(i, 1); }
const workerThreadsForScript = Object.assign({}, wt, { parentPort: portProxy });
function shimRequire(id) {
  if (id === 'worker_threads' || id === 'node:worker_threads') return workerThreadsForScript;
  return realRequire(id);
}
Object.assign(shimRequire, realRequire);

function evalScript(source, url) {
  (0, eval)(source + '\n//# sourceURL=' + String(url).replace(/\s/g, '_'));
}
function importScriptsShim(...urls) {
  for (const u of urls) {
    const href = String(u);
    let source = sourceByUrl.get(href);
    if (source === undefined) {
      if (href.startsWith('blob:')) throw new Error('importScripts: the content of ' + href + ' was not received with a message');
      source = fs.readFileSync(href.startsWith('file:') ? new URL(href) : href, 'utf8');
    }
    evalScript(source, href);
  }
}
function installWebApi() {
  g.self = g;
  g.require = shimRequire;
  g.importScripts = importScriptsShim;
  g.postMessage = (message, transfer) => port.postMessage(message, transfer);
  g.addEventListener = (type, fn) => { if (type === 'message') webListeners.push(fn); };
  g.removeEventListener = (type, fn) => {
    const i = webListeners.indexOf(fn); if (type === 'message' && i >= 0) webListeners.splice(i, 1);
  };
  g.close = () => port.close();
}
// Helpers that tfjs-backend-wasm's Node bundle hoists out of the Emscripten factory (its toString()
// is what runs in the worker). Defined only when missing.
function defineBundleHelpers() {
  const helpers = {
    require$$0: fs,
    require$$1: realRequire('node:path'),
    require$$3: realRequire('node:perf_hooks'),
    require$$4: realRequire('node:os'),
    commonjsGlobal: g,
    _scriptDir: undefined,
    __values(o) {
      const s = typeof Symbol === 'function' && Symbol.iterator;
      const m = s && o[s];
      if (m) return m.call(o);
      let i = 0;
      return { next: () => ({ value: o && o[i++], done: !o || i > o.length }) };
    },
    __read(o, n) {
      const it = o[Symbol.iterator]();
      const out = [];
      for (let r = it.next(); (n === undefined || n-- > 0) && !r.done; r = it.next()) out.push(r.value);
      return out;
    },
    __spreadArray(to, from) { return to.concat(Array.prototype.slice.call(from)); },
  };
  for (const [k, v] of Object.entries(helpers)) if (!(k in g)) g[k] = v;
}

function deliver(data) {
  if (nodeListeners.length > 0) {
    for (const fn of nodeListeners.slice()) fn(data);
    return;
  }
  const event = { data, type: 'message', target: g, currentTarget: g };
  if (typeof g.onmessage === 'function') g.onmessage(event);
  for (const fn of webListeners.slice()) fn(event);
}
function blobsIn(data) {
  const found = [];
  if (typeof Blob === 'undefined' || data === null || typeof data !== 'object') return found;
  if (data instanceof Blob) return sourceByBlob.has(data) ? found : [data];
  for (const key of Object.keys(data)) {
    const v = data[key];
    if (v instanceof Blob && !sourceByBlob.has(v)) found.push(v);
  }
  return found;
}
async function pump() {
  pumping = true;
  try {
    while (queue.length > 0) {
      const data = queue[0];
      for (const blob of blobsIn(data)) sourceByBlob.set(blob, await blob.text());
      queue.shift();
      deliver(data);
    }
  } finally {
    pumping = false;
  }
}
function loadScript(source, url) {
  installWebApi();
  defineBundleHelpers();
  g.location = { href: String(url), toString() { return String(url); } };
  evalScript(source, url);
  // The script may have replaced importScripts with an fs-based one: keep ours (it falls back to fs).
  g.importScripts = importScriptsShim;
  g.require = shimRequire;
}

// URLs made from Blobs we have read resolve to their source in importScripts.
const createObjectURL = URL.createObjectURL.bind(URL);
const revokeObjectURL = URL.revokeObjectURL.bind(URL);
URL.createObjectURL = (obj) => {
  const url = createObjectURL(obj);
  const source = sourceByBlob.get(obj);
  if (source !== undefined) sourceByUrl.set(url, source);
  return url;
};
URL.revokeObjectURL = (url) => { sourceByUrl.delete(url); revokeObjectURL(url); };

port.on('message', (data) => {
  if (!scriptLoaded) {
    scriptLoaded = true;
    loadScript(data.${CODE_MESSAGE_KEY}, data.url);
    return;
  }
  if (!pumping && blobsIn(data).length === 0) { deliver(data); return; }
  queue.push(data);
  if (!pumping) pump().catch((error) => setImmediate(() => { throw error; }));
});
`;

/**
 * The parent's `execArgv` without the flags that would break or slow the CommonJS bootstrap:
 * `--input-type` (would make eval'd code an ES module) and module hooks (`--import`, `--require`,
 * `--loader`, `--experimental-loader`: tsx, vitest, … would load in every pthread worker).
 */
function bootstrapExecArgv(): string[] {
  const argv = (globalThis as { process?: { execArgv?: string[] } }).process?.execArgv ?? [];
  const dropWithValue = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader', '--input-type']);
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (dropWithValue.has(arg)) {
      i++;
      continue;
    }
    if ([...dropWithValue].some((flag) => arg.startsWith(`${flag}=`))) continue;
    out.push(arg);
  }
  return out;
}

/*
 * The members of `worker_threads.Worker` used here, typed structurally so that this browser-safe module
 * compiles without Node's type definitions (the module is loaded at run time, in Node only).
 */
/** Options of `worker_threads.Worker` (the ones used here; others pass through). */
interface WorkerOpts {
  eval?: boolean;
  execArgv?: string[];
  [option: string]: unknown;
}
/** A `worker_threads.Worker`. */
interface NodeWorkerInstance {
  postMessage(value: unknown, transferList?: readonly unknown[]): void;
  ref(): void;
  unref(): void;
  terminate(): Promise<number>;
  on(event: string, listener: (...args: any[]) => void): this;
  off(event: string, listener: (...args: any[]) => void): this;
  emit(event: string, ...args: unknown[]): boolean;
}
/** The `worker_threads.Worker` class. */
type NodeWorkerCtor = new (filename: string | URL, options?: WorkerOpts) => NodeWorkerInstance;
type ResolveObjectURL = (url: string) => Blob | undefined;

/** Node built-ins the shim needs. */
export interface NodeWorkerShimDeps {
  /** `worker_threads.Worker`. */
  Worker: NodeWorkerCtor;
  /** `buffer.resolveObjectURL`. */
  resolveObjectURL: ResolveObjectURL;
}

/**
 * Builds the web-compatible `Worker` class over `worker_threads.Worker`: `blob:` URLs run through the
 * bootstrap described in the module comment; any other URL or path is handed to `worker_threads.Worker`
 * unchanged. `ref()` is a no-op (see below). Besides the Node `Worker` API it offers `addEventListener`/`removeEventListener('message' |
 * 'error')` with web-style events.
 */
export function createWebCompatibleWorker(deps: NodeWorkerShimDeps): NodeWorkerCtor {
  const NodeWorker = deps.Worker;
  class WebCompatibleWorker extends NodeWorker {
    /** Messages posted before the script source was sent; `null` once it has been. */
    private pendingMessages: Array<[unknown, readonly unknown[] | undefined]> | null = null;
    private readonly webListeners = new Map<(event: unknown) => void, (value: unknown) => void>();

    constructor(url: string | URL, options?: WorkerOpts) {
      const href = String(url);
      const blob = href.startsWith('blob:') ? deps.resolveObjectURL(href) : undefined;
      if (href.startsWith('blob:') && blob === undefined) {
        throw new TypeError(`Worker: url '${href}' does not name a registered Blob (was it revoked?)`);
      }
      super(
        blob === undefined ? url : WORKER_BOOTSTRAP,
        blob === undefined ? options : { ...options, eval: true, execArgv: options?.execArgv ?? bootstrapExecArgv() },
      );
      if (blob === undefined) return;
      this.pendingMessages = [];
      const post = (value: unknown, transfer?: readonly unknown[]): void =>
        NodeWorker.prototype.postMessage.call(this, value, transfer as never);
      blob.text().then(
        (code) => {
          post({ [CODE_MESSAGE_KEY]: code, url: href });
          const pending = this.pendingMessages ?? [];
          this.pendingMessages = null;
          for (const [value, transfer] of pending) post(value, transfer);
        },
        (error: unknown) => this.emit('error', error),
      );
    }

    /**
     * A no-op: once `unref`'d, a shimmed worker never holds the process open again. (Emscripten `ref`s a
     * worker while it runs a pthread; tfjs' XNNPACK pool threads run forever, so `node script.js` would
     * never exit.)
     */
    override ref(): void {
      /* intentionally empty */
    }

    override postMessage(value: unknown, transferList?: readonly unknown[]): void {
      if (this.pendingMessages !== null) {
        this.pendingMessages.push([value, transferList]);
        return;
      }
      super.postMessage(value, transferList as never);
    }

    /** Web-style listener: `message` listeners receive `{data}`, `error` listeners the error. */
    addEventListener(type: string, listener: (event: unknown) => void): void {
      if (this.webListeners.has(listener)) return;
      const wrapped = type === 'message' ? (data: unknown) => listener({ data, target: this }) : listener;
      this.webListeners.set(listener, wrapped);
      this.on(type, wrapped);
    }

    /** Removes a listener added with {@link addEventListener}. */
    removeEventListener(type: string, listener: (event: unknown) => void): void {
      const wrapped = this.webListeners.get(listener);
      if (wrapped === undefined) return;
      this.webListeners.delete(listener);
      this.off(type, wrapped);
    }
  }
  return WebCompatibleWorker as unknown as NodeWorkerCtor;
}

/** The instance type of the shimmed worker, for callers that need it. */
export type WebCompatibleWorkerInstance = NodeWorkerInstance & {
  addEventListener(type: string, listener: (event: unknown) => void): void;
  removeEventListener(type: string, listener: (event: unknown) => void): void;
};

/**
 * Installs the web-compatible `Worker` as `globalThis.Worker` (Node only) and returns a function that
 * restores the previous global. While installed, assignments to `globalThis.Worker` are ignored so that
 * code which sets it to `worker_threads.Worker` (Emscripten's Node branch) keeps using the shim.
 *
 * Workers created while it was installed keep working after the restore.
 */
export function installNodeWorkerShim(deps: NodeWorkerShimDeps): () => void {
  const g = globalThis as Record<string, unknown>;
  const previous = Object.getOwnPropertyDescriptor(g, 'Worker');
  const Shim = createWebCompatibleWorker(deps);
  Object.defineProperty(g, 'Worker', {
    configurable: true,
    enumerable: false,
    get: () => Shim,
    set: () => {
      /* ignored while the shim is installed */
    },
  });
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    delete g.Worker;
    if (previous !== undefined) Object.defineProperty(g, 'Worker', previous);
  };
}

/**
 * Loads the Node built-ins the shim needs without a static import (so that browser bundles never see
 * them): `process.getBuiltinModule` where available, otherwise a dynamic import.
 */
export async function loadNodeWorkerShimDeps(): Promise<NodeWorkerShimDeps> {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const load = async <T>(id: string): Promise<T> => {
    if (typeof proc?.getBuiltinModule === 'function') {
      const mod = proc.getBuiltinModule(id);
      if (mod !== undefined) return mod as T;
    }
    return (await import(/* @vite-ignore */ /* webpackIgnore: true */ id)) as T;
  };
  const wt = await load<{ Worker: NodeWorkerCtor }>('node:worker_threads');
  const buffer = await load<{ resolveObjectURL: ResolveObjectURL }>('node:buffer');
  return { Worker: wt.Worker, resolveObjectURL: buffer.resolveObjectURL as ResolveObjectURL };
}
