export { GrpoError } from './error';
