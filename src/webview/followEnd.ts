/**
 * Whether the transcript follows its end, and the pin that keeps it there. Only the user scrolling up stops
 * following: a scroll that moves the view up and leaves it away from the end. Content growing, shrinking or
 * being re-measured never does, so a fast answer cannot drop the view off its end (deciding from the distance
 * to the end alone did: a scroll event after the content grew read as the user leaving). Reaching the end
 * again, Jump to latest, a new snapshot or a new question follow again. Layout is read only in scroll events
 * and in `pin`, once per frame.
 */

/** How close to the end (px) still counts as being at the end. */
const SLACK = 40;

export class EndFollower {
  private followingEnd = true;
  /** Where the view was after the last scroll or pin: a scroll to above it is the user scrolling up. */
  private lastTop = 0;

  constructor(
    private readonly scroller: HTMLElement,
    /** Told when following starts or stops (Jump to latest shows while it is stopped). */
    private readonly onChange: (following: boolean) => void = () => {},
  ) {
    scroller.addEventListener('scroll', () => this.scrolled());
  }

  get following(): boolean {
    return this.followingEnd;
  }

  /** Follows the end again; the next `pin` moves the view there. */
  follow(): void {
    this.set(true);
  }

  /** Moves the view to the end if it follows it. Reads layout: call once per frame, after its rendering. */
  pin(): void {
    if (!this.followingEnd) return;
    this.scroller.scrollTop = this.scroller.scrollHeight;
    this.lastTop = this.scroller.scrollTop;
  }

  private scrolled(): void {
    const { scrollTop, scrollHeight, clientHeight } = this.scroller;
    const atEnd = scrollHeight - scrollTop - clientHeight < SLACK;
    const movedUp = scrollTop < this.lastTop - 1;
    this.lastTop = scrollTop;
    if (atEnd) this.set(true);
    else if (movedUp) this.set(false);
  }

  private set(following: boolean): void {
    if (following === this.followingEnd) return;
    this.followingEnd = following;
    this.onChange(following);
  }
}
