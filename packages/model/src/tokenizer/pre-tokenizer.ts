/**
 * Pre-tokenization: added/special tokens are cut out first (leftmost-longest match), then the rest is split
 * with the GPT-2 regex, which groups Unicode letters (`\p{L}`, so CJK runs stay together), numbers (`\p{N}`),
 * other symbols and whitespace. This is exactly the pattern of the Hugging Face `ByteLevel` pre-tokenizer
 * (`use_regex: true`) in both the Rust crate and `@huggingface/tokenizers`.
 *
 * @packageDocumentation
 */

/** Source of the GPT-2 split pattern (compiled with the `gu` flags). */
export const GPT2_SPLIT_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

const GPT2_SPLIT_REGEX = new RegExp(GPT2_SPLIT_PATTERN, 'gu');

/**
 * Splits `text` into GPT-2 pre-tokens. The pattern covers every code point (lone surrogates included), so the
 * pieces concatenate back to `text`.
 */
export function preTokenize(text: string): string[] {
  if (text.length === 0) return [];
  return text.match(GPT2_SPLIT_REGEX) ?? [];
}

/** A piece of text from {@link AddedTokenSplitter.split}: plain text, or an added token with its id. */
export type TextSegment = { text: string; id?: undefined } | { text: string; id: number };

interface TrieNode {
  children: Map<string, TrieNode>;
  id?: number;
  content?: string;
}

/**
 * Finds added tokens (e.g. `<|im_start|>`) in text: at each position the longest added token that starts there
 * wins, scanning left to right (the rule of Hugging Face tokenizers).
 */
export class AddedTokenSplitter {
  private readonly root: TrieNode = { children: new Map() };
  private readonly size: number;

  /** @param tokens added tokens as `content → id`. Empty contents are ignored. */
  constructor(tokens: Iterable<readonly [string, number]>) {
    let size = 0;
    for (const [content, id] of tokens) {
      if (content.length === 0) continue;
      let node = this.root;
      for (let i = 0; i < content.length; i++) {
        const ch = content[i];
        let next = node.children.get(ch);
        if (next === undefined) {
          next = { children: new Map() };
          node.children.set(ch, next);
        }
        node = next;
      }
      node.id = id;
      node.content = content;
      size++;
    }
    this.size = size;
  }

  /** Splits `text` into plain-text segments and added-token segments (in order; concatenation is `text`). */
  split(text: string): TextSegment[] {
    if (this.size === 0) return text.length > 0 ? [{ text }] : [];
    const out: TextSegment[] = [];
    const n = text.length;
    let start = 0;
    let i = 0;
    while (i < n) {
      let node: TrieNode | undefined = this.root.children.get(text[i]);
      if (node === undefined) {
        i++;
        continue;
      }
      let matchId = -1;
      let matchLen = 0;
      let j = i;
      while (node !== undefined) {
        j++;
        if (node.id !== undefined) {
          matchId = node.id;
          matchLen = j - i;
        }
        if (j >= n) break;
        node = node.children.get(text[j]);
      }
      if (matchId < 0) {
        i++;
        continue;
      }
      if (i > start) out.push({ text: text.slice(start, i) });
      out.push({ text: text.slice(i, i + matchLen), id: matchId });
      i += matchLen;
      start = i;
    }
    if (start < n) out.push({ text: text.slice(start) });
    return out;
  }
}
