/**
 * The Node-only API of `@quarkmed/model` (the `@quarkmed/model/node` subpath): everything that reads or writes
 * files. The main entry stays free of Node built-ins so that it bundles for the browser.
 *
 * @packageDocumentation
 */
export { writeFileAtomic, makeDirectory, replaceDirectory, recoverDirectory, cleanStaleTemps, pathExists, TEMP_FILE_PATTERN } from './atomic-dir';
export type { AtomicWriteData, ReplaceDirectoryOptions } from './atomic-dir';
export { saveCheckpoint, writeCheckpointFiles, loadCheckpoint, loadWeightsInto, readSafetensorsFile, writeSafetensorsFile, directorySource } from './checkpoint';
export { saveLoraAdapters, loadLoraAdapters, loadLoraWeightsInto } from './peft';
export { FileTrainerStore } from './trainer-store';
export type { FileTrainerStoreOptions } from './trainer-store';
export { loadTokenizer, saveTokenizer, readJsonFile } from './tokenizer-files';
