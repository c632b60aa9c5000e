/**
 * The page side of the webview render benchmark (bundled by webviewRender.bench.ts and run in Chromium with
 * the chat's stylesheet): streams a long markdown answer into the real MarkdownView inside a scrolling
 * transcript pinned to its end, one batched update at a time, and times each update including style, layout
 * and the scroll that follows it.
 */
import { createMarkdownRenderer } from '../src/webview/markdown';
import { MarkdownView } from '../src/webview/markdownView';

export interface RenderBenchResult {
  updateMs: number[];
  totalChars: number;
  settledBlocks: number;
  fullRenderMs: number;
}

declare global {
  interface Window {
    runRenderBench(chunks: string[], chunksPerUpdate: number, warmupChunks: number): RenderBenchResult;
  }
}

function stream(scroller: HTMLElement, chunks: string[], chunksPerUpdate: number): { view: MarkdownView; updateMs: number[] } {
  const view = new MarkdownView(document, createMarkdownRenderer(window), () => {});
  scroller.append(view.element);
  const updateMs: number[] = [];
  for (let i = 0; i < chunks.length; i += chunksPerUpdate) {
    const started = performance.now();
    for (let k = i; k < Math.min(i + chunksPerUpdate, chunks.length); k++) view.append(chunks[k]);
    view.flush();
    scroller.scrollTop = scroller.scrollHeight; // what the pinned transcript does after each render
    updateMs.push(performance.now() - started);
  }
  return { view, updateMs };
}

window.runRenderBench = (chunks, chunksPerUpdate, warmupChunks) => {
  const scroller = document.createElement('main');
  scroller.className = 'scroller';
  document.body.append(scroller);
  // Warm the JIT up on a short answer first, so the first 1 % measures rendering, not compilation.
  stream(scroller, chunks.slice(0, warmupChunks), chunksPerUpdate).view.element.remove();
  const { view, updateMs } = stream(scroller, chunks, chunksPerUpdate);
  view.finish();
  // What one update costs when the whole answer is re-rendered each time (the peers' approach), at the end.
  const started = performance.now();
  const whole = document.createElement('div');
  whole.className = 'markdown';
  whole.innerHTML = createMarkdownRenderer(window).render(view.source, false);
  scroller.append(whole);
  scroller.scrollTop = scroller.scrollHeight;
  const fullRenderMs = performance.now() - started;
  return { updateMs, totalChars: view.source.length, settledBlocks: view.settledCount, fullRenderMs };
};
