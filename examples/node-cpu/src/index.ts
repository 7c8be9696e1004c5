/**
 * The Node CPU example's API (the GPU example runs the same recipe through it).
 *
 * @packageDocumentation
 */
export { ExampleError, ExampleUsageError } from './error';
export { runExample, exampleConfig, type RunExampleOptions, type RunExampleResult } from './run-example';
export { parseCommonArgs, type CommonArgs, type CommonOptionSpec } from './cli';
export { printResult } from './print-result';
