/**
 * The Node-only API of `@quarkmed/model` (the `@quarkmed/model/node` subpath): everything that reads or writes
 * files. The main entry stays free of Node built-ins so that it bundles for the browser.
 *
 * @packageDocumentation
 */
export {};
