/**
 * The conversation the model sees, bounded by message count and characters. Trimming drops whole
 * exchanges from the start, so the history always begins with a user message and never holds a tool
 * result without the call it answers.
 */
import type { ChatMessage } from './models/types';

export interface HistoryLimits {
  maxMessages: number;
  maxChars: number;
}

export class History {
  private readonly messages: ChatMessage[] = [];
  private chars = 0;

  constructor(private readonly limits: HistoryLimits) {}

  get all(): readonly ChatMessage[] {
    return this.messages;
  }

  push(...messages: ChatMessage[]): void {
    for (const m of messages) {
      this.messages.push(m);
      this.chars += size(m);
    }
    this.trim();
  }

  private trim(): void {
    let drop = 0;
    let chars = this.chars;
    // The latest exchange is always kept, even when it alone is over the limits.
    const keepFrom = this.messages.map((m) => m.role).lastIndexOf('user');
    const over = () => this.messages.length - drop > this.limits.maxMessages || chars > this.limits.maxChars;
    while (drop < keepFrom && over()) {
      chars -= size(this.messages[drop]);
      drop++;
      // Continue to the next user message so the kept part starts a fresh exchange.
      while (drop < keepFrom && this.messages[drop].role !== 'user') {
        chars -= size(this.messages[drop]);
        drop++;
      }
    }
    if (drop === 0) return;
    this.messages.splice(0, drop);
    this.chars = chars;
  }
}

function size(m: ChatMessage): number {
  const calls = m.role === 'assistant' && m.toolCalls ? m.toolCalls.reduce((n, c) => n + c.name.length + c.arguments.length, 0) : 0;
  const images = m.role === 'user' && m.images ? m.images.reduce((n, i) => n + i.data.length, 0) : 0;
  return m.content.length + calls + images;
}
