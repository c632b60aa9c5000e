/**
 * Turns an element's children into a copy of a freshly rendered fragment's while touching only what differs:
 * the common start is kept, a text node that grew gets only its new text, and the rest is replaced. A
 * streamed answer's tail is re-rendered every frame; replacing it whole made the browser lay out and shape all
 * of its text again each frame, and dropped any selection the user had made in it.
 */

/** After this, `target`'s children equal `source`'s; nodes are moved out of `source`, which is spent. */
export function patchChildren(target: Node, source: Node): void {
  const old = Array.from(target.childNodes);
  const fresh = Array.from(source.childNodes);
  let kept = 0;
  for (; kept < fresh.length && kept < old.length; kept++) {
    if (!patchNode(old[kept]!, fresh[kept]!)) break;
  }
  for (let i = kept; i < old.length; i++) old[i]!.remove();
  for (let i = kept; i < fresh.length; i++) target.appendChild(fresh[i]!);
}

/** Makes `node` equal `fresh` in place, or says it cannot (a different kind of node, or other attributes). */
function patchNode(node: Node, fresh: Node): boolean {
  if (node.nodeType !== fresh.nodeType || node.nodeName !== fresh.nodeName) return false;
  if (node.nodeType === node.TEXT_NODE) {
    const text = node as Text;
    const next = (fresh as Text).data;
    if (text.data === next) return true;
    if (next.startsWith(text.data)) text.appendData(next.slice(text.data.length));
    else text.data = next;
    return true;
  }
  if (node.nodeType !== node.ELEMENT_NODE) return node.isEqualNode(fresh);
  if (!sameAttributes(node as Element, fresh as Element)) return false;
  patchChildren(node, fresh);
  return true;
}

function sameAttributes(a: Element, b: Element): boolean {
  if (a.attributes.length !== b.attributes.length) return false;
  for (const { name, value } of Array.from(b.attributes)) if (a.getAttribute(name) !== value) return false;
  return true;
}
