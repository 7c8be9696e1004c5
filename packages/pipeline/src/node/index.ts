/**
 * The Node-only API of `@quarkmed/pipeline` (the `@quarkmed/pipeline/node` subpath): run directories, the CLI and the
 * server. The main entry stays free of Node built-ins so that it bundles for the browser.
 *
 * @packageDocumentation
 */
export {};
