export { PipelineError } from './error';
