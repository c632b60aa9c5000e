/**
 * `test:tools`: a scripted model that shows every tool path without an LLM. Each turn it reads a file (the
 * first file name in the prompt, else README.md), proposes a short notes file about it (write_file), changes
 * its heading (edit_file), runs a command (the first `backticked` text in the prompt, else `ls`), then sums
 * up what happened. Steps whose tool the client
 * does not offer are skipped; with no tools at all it says so in text.
 */
import { sleep } from './abortable';
import type { ChatMessage, ChatModel, ModelEvent, ModelRequest, ToolCallRequest } from './types';

export const NOTES_FILE = 'punie-notes.md';
const NOTES_HEADING = "# Notes from Punie's test model";

interface Step {
  tool: string;
  args: Record<string, unknown>;
}

export class ScriptedToolModel implements ChatModel {
  readonly acceptsImages = false;
  constructor(
    readonly id: string,
    private readonly delayMs = 0,
  ) {}

  async *stream(request: ModelRequest): AsyncIterable<ModelEvent> {
    if (this.delayMs > 0) await sleep(this.delayMs, request.signal);
    const turn = currentTurn(request.messages);
    const offered = new Set(request.tools.map((t) => t.name));
    const plan = planSteps(turn).filter((s) => offered.has(s.tool));
    const done = turn.calls.length;
    if (offered.size === 0) {
      yield* words('The client offers no tools in this session (no file or terminal access), so I can only answer in text.');
      return;
    }
    if (done < plan.length) {
      const step = plan[done];
      yield { type: 'thought', text: `Next: ${step.tool}.` };
      yield { type: 'tool_call', call: { id: `test_${done + 1}`, name: step.tool, arguments: JSON.stringify(step.args) } };
      return;
    }
    yield* words(summary(turn.calls, turn.results));
  }
}

interface Turn {
  prompt: string;
  calls: ToolCallRequest[];
  results: string[];
}

/** The last user message and the tool calls and results that followed it. */
function currentTurn(messages: readonly ChatMessage[]): Turn {
  let start = messages.length - 1;
  while (start >= 0 && messages[start].role !== 'user') start--;
  const turn: Turn = { prompt: start >= 0 ? messages[start].content : '', calls: [], results: [] };
  for (const m of messages.slice(start + 1)) {
    if (m.role === 'assistant' && m.toolCalls) turn.calls.push(...m.toolCalls);
    if (m.role === 'tool') turn.results.push(m.content);
  }
  return turn;
}

function planSteps(turn: Turn): Step[] {
  const file = /(?:^|\s)([\w./-]+\.[A-Za-z0-9]+)\b/.exec(turn.prompt)?.[1] ?? 'README.md';
  const command = /`([^`]+)`/.exec(turn.prompt)?.[1] ?? 'ls';
  const readIndex = turn.calls.findIndex((c) => c.name === 'read_file');
  const read = readIndex === -1 ? undefined : turn.results[readIndex];
  const about =
    read === undefined ? `I could not read \`${file}\`.`
    : read.startsWith('Error:') ? `Reading \`${file}\` failed: ${read.split('\n')[0]}`
    : `I read \`${file}\`: ${read.split('\n').length} lines, ${read.length} characters.\nIts first line is: ${read.split('\n')[0] || '(empty)'}`;
  const notes = `${NOTES_HEADING}\n\n${about}\n`;
  return [
    { tool: 'read_file', args: { path: file } },
    { tool: 'write_file', args: { path: NOTES_FILE, content: notes } },
    { tool: 'edit_file', args: { path: NOTES_FILE, edits: [{ old_text: `${NOTES_HEADING}\n`, new_text: `${NOTES_HEADING} (reviewed)\n` }] } },
    { tool: 'run_command', args: { command } },
  ];
}

function summary(calls: ToolCallRequest[], results: string[]): string {
  const lines = ['Here is what I did:', ''];
  calls.forEach((call, i) => {
    const first = (results[i] ?? '').split('\n')[0].slice(0, 200);
    lines.push(`- \`${call.name}\` ${call.arguments}: ${first}`);
  });
  return lines.join('\n') + '\n';
}

function* words(text: string): Iterable<ModelEvent> {
  for (const piece of text.match(/\S+\s*/g) ?? [text]) yield { type: 'text', text: piece };
}
