/**
 * The composer's attachments, shown as removable chips above the input: files mentioned with `@` (the host
 * picks them) and images pasted or dropped (read here as base64). They go with the next question.
 */
import { el, icon, renderChip } from './items';
import { MAX_IMAGE_BASE64, type Attachment } from './protocol';

export class Attachments {
  readonly element: HTMLElement;
  private items: Attachment[] = [];

  constructor(
    private readonly document: Document,
    private readonly onError: (message: string) => void,
  ) {
    this.element = el(document, 'div', 'attachments');
    this.element.hidden = true;
  }

  get list(): readonly Attachment[] {
    return this.items;
  }

  addFile(uri: string, name: string): void {
    if (this.items.some((a) => a.kind === 'file' && a.uri === uri)) return;
    this.items.push({ kind: 'file', uri, name });
    this.render();
  }

  /** Reads image files of a paste or drop; other files are ignored. True if any was an image. */
  addImages(files: Iterable<File>): boolean {
    let any = false;
    for (const file of files) {
      if (!file.type.startsWith('image/')) continue;
      any = true;
      const reader = new FileReader();
      reader.onload = () => {
        const url = String(reader.result);
        const data = url.slice(url.indexOf(',') + 1);
        if (data.length > MAX_IMAGE_BASE64) {
          this.onError(`${file.name || 'The image'} is larger than 5 MB; it was not attached.`);
          return;
        }
        this.items.push({ kind: 'image', name: file.name || 'pasted image', mimeType: file.type, data });
        this.render();
      };
      reader.readAsDataURL(file);
    }
    return any;
  }

  /** The attachments for a question; the bar is emptied. */
  take(): Attachment[] {
    const taken = this.items;
    this.items = [];
    this.render();
    return taken;
  }

  private render(): void {
    this.element.hidden = this.items.length === 0;
    this.element.replaceChildren(
      ...this.items.map((a, i) => {
        const chip = renderChip(this.document, { kind: a.kind, name: a.name });
        const remove = el(this.document, 'button', 'chip-remove');
        remove.type = 'button';
        remove.title = `Remove ${a.name}`;
        remove.append(icon(this.document, 'close'));
        remove.addEventListener('click', () => {
          this.items.splice(i, 1);
          this.render();
        });
        chip.append(remove);
        return chip;
      }),
    );
  }
}
