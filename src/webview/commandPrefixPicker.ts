/**
 * On a command's permission card, what "Always allow" covers: this exact command (the default) or every
 * command starting with a prefix of its words that the user picks (the host offers them, see
 * client/commandPrefix.ts). The button says what it will allow before it is pressed.
 */
import type { ItemOf } from './protocol';

/** What "Always allow" covers with `prefix` words chosen (none: the agent's own label, the exact command). */
export function alwaysLabel(item: ItemOf<'permission'>, name: string, prefix: number | undefined): string {
  const label = prefix ? item.prefixes?.[prefix - 1] : undefined;
  return label ? `Always allow commands starting with \`${label}\` in this session` : name;
}

/** A select of the prefixes, wired to relabel `button`; `chosen()` is the picked word count, if any. */
export function prefixPicker(document: Document, item: ItemOf<'permission'>, button: HTMLButtonElement, name: string): { element: HTMLElement; chosen(): number | undefined } {
  const root = document.createElement('label');
  root.className = 'permission-prefix muted';
  root.append(document.createTextNode('Always allow covers '));
  const select = document.createElement('select');
  select.className = 'permission-prefix-select';
  const exact = document.createElement('option');
  exact.value = '';
  exact.textContent = 'this exact command';
  select.append(exact);
  (item.prefixes ?? []).forEach((label, i) => {
    const option = document.createElement('option');
    option.value = String(i + 1);
    option.textContent = `commands starting with \`${label}\``; // text, never HTML: it comes from the agent
    select.append(option);
  });
  const chosen = () => (select.value ? Number(select.value) : undefined);
  select.addEventListener('change', () => {
    button.textContent = alwaysLabel(item, name, chosen());
  });
  root.append(select);
  return { element: root, chosen };
}
