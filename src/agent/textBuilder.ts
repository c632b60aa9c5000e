/**
 * A model answer built from its streamed pieces. `+=` of each piece would keep a long answer as a rope of
 * thousands of tiny strings that the history holds for the rest of the session and every garbage
 * collection traces (a 3 MB answer of 64-character chunks: 100k objects); joining all pieces at the end
 * would copy the whole answer once more while the pieces still live (a 100 MB answer held twice). So small
 * pieces are joined into blocks as they come, and the blocks are concatenated without copying.
 */

/** Characters gathered before the pieces are joined into one block. */
const BLOCK_CHARS = 16 * 1024;

export class TextBuilder {
  private text = '';
  private pieces: string[] = [];
  private chars = 0;

  get isEmpty(): boolean {
    return this.text.length === 0 && this.chars === 0;
  }

  push(piece: string): void {
    this.pieces.push(piece);
    this.chars += piece.length;
    if (this.chars >= BLOCK_CHARS) this.seal();
  }

  toString(): string {
    this.seal();
    return this.text;
  }

  private seal(): void {
    if (this.pieces.length === 0) return;
    this.text += this.pieces.length === 1 ? this.pieces[0] : this.pieces.join('');
    this.pieces = [];
    this.chars = 0;
  }
}
