/** A small exact-cosine VectorStore over a hashed bag-of-words embedder, for testing the hybrid retriever. */
import type { Document, Embedder, MetadataFilter, VectorStore } from '../../src/index';
import { matchesFilter } from '../../src/index';

export class HashEmbedder implements Embedder {
  readonly dimension = 64;
  readonly normalized = true;
  calls = 0;
  embed(text: string): Float32Array {
    const v = new Float32Array(this.dimension);
    for (const w of text.toLowerCase().match(/\p{L}+/gu) ?? []) {
      let h = 2166136261;
      for (const c of w) h = Math.imul(h ^ c.codePointAt(0)!, 16777619);
      v[(h >>> 0) % this.dimension]! += 1;
    }
    const n = Math.hypot(...v) || 1;
    return v.map((x) => x / n);
  }
  async embedDocuments(texts: readonly string[]): Promise<Float32Array[]> {
    this.calls++;
    return texts.map((t) => this.embed(t));
  }
  async embedQuery(text: string): Promise<Float32Array> {
    return this.embed(text);
  }
}

export class TestDenseStore implements VectorStore {
  readonly embedder = new HashEmbedder();
  private readonly rows: { doc: Document; v: Float32Array }[] = [];
  async addDocuments(documents: readonly Document[]): Promise<string[]> {
    const vs = await this.embedder.embedDocuments(documents.map((d) => d.pageContent));
    documents.forEach((doc, i) => this.rows.push({ doc, v: vs[i]! }));
    return documents.map((d) => d.metadata.id as string);
  }
  async similaritySearch(query: string, k = 4, filter?: MetadataFilter): Promise<Document[]> {
    return (await this.similaritySearchWithScore(query, k, filter)).map(([d]) => d);
  }
  async similaritySearchWithScore(query: string, k = 4, filter?: MetadataFilter): Promise<[Document, number][]> {
    return this.similaritySearchVectorWithScore(await this.embedder.embedQuery(query), k, filter);
  }
  async similaritySearchVectorWithScore(q: Float32Array, k: number, filter?: MetadataFilter): Promise<[Document, number][]> {
    return this.rows
      .filter((r) => matchesFilter(r.doc.metadata, filter))
      .map((r) => [r.doc, r.v.reduce((s, x, i) => s + x * q[i]!, 0)] as [Document, number])
      .sort((a, b) => b[1] - a[1])
      .slice(0, k);
  }
  async delete(): Promise<void> {}
}
