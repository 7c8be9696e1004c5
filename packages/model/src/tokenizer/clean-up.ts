/**
 * The `transformers` / `@huggingface/tokenizers` clean-up of tokenization spaces (`clean_up_tokenization_spaces`
 * in tokenizer_config.json): removes the space before `.`, `?`, `!`, `,` and English contractions.
 *
 * @packageDocumentation
 */

/** The substrings the clean-up rewrites, each to itself without its leading space (`" ' "` becomes `"'"`). */
export const CLEAN_UP_PATTERNS: readonly string[] = [' .', ' ?', ' !', ' ,', " ' ", " n't", " 'm", " 's", " 've", " 're"];

/** Applies the clean-up, in the order `transformers` applies it. */
export function cleanUpTokenization(text: string): string {
  return text
    .replace(/ \./g, '.')
    .replace(/ \?/g, '?')
    .replace(/ !/g, '!')
    .replace(/ ,/g, ',')
    .replace(/ ' /g, "'")
    .replace(/ n't/g, "n't")
    .replace(/ 'm/g, "'m")
    .replace(/ 's/g, "'s")
    .replace(/ 've/g, "'ve")
    .replace(/ 're/g, "'re");
}
