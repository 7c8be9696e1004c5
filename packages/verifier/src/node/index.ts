/**
 * The Node-only API of `@quarkmed/verifier` (the `@quarkmed/verifier/node` subpath): everything that reads or writes
 * files. The main entry stays free of Node built-ins so that it bundles for the browser.
 *
 * @packageDocumentation
 */
export { useShippedVerifierData, verifierDataPath, readVerifierDataFile } from './shipped-data';
export type { UseShippedVerifierDataOptions } from './shipped-data';
