/**
 * The one disposables pattern of the extension (as vscode-pull-request-github's `Disposable`): a part
 * registers what it owns as it creates it, and one `dispose` releases all of it, newest first, each once,
 * even when one of them throws. Plain code (structurally a vscode.Disposable), so it is unit-tested.
 */
export interface DisposableLike {
  dispose(): unknown;
}

export abstract class Disposable implements DisposableLike {
  private readonly owned: DisposableLike[] = [];
  private disposedValue = false;

  protected get isDisposed(): boolean {
    return this.disposedValue;
  }

  /** Owns `value` from now on; one registered after dispose is disposed at once. */
  protected register<T extends DisposableLike>(value: T): T {
    if (this.disposedValue) value.dispose();
    else this.owned.push(value);
    return value;
  }

  dispose(): void {
    if (this.disposedValue) return;
    this.disposedValue = true;
    const errors: unknown[] = [];
    for (const value of this.owned.splice(0).reverse()) {
      try {
        value.dispose();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} disposables failed`);
  }
}
