/**
 * Knowledge translation (SPO → text): template banks in English and Chinese, atomic sentences and entity-card
 * paragraphs, a model-based translator behind a {@link TextGenerator} interface, a back-translation consistency
 * filter and selection by importance, completeness and accuracy.
 *
 * @packageDocumentation
 */
export * from './types';
export * from './errors';
export * from './templates';
export * from './template-translator';
export * from './model-translator';
export * from './back-translation';
export * from './selection';
