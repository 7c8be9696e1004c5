export * from './kg/index';
export * from './random';
export * from './curate/index';
export * from './mix/index';
export * from './tasks/index';
export * from './translate/index';
export { DataSynthError } from './error';
export { hasCjk, isCjkCodePoint, CJK_LETTER_CLASS } from './cjk';
