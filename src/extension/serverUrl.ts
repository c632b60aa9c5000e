/** The remote server URL check, plain code (no vscode) so that it can be tested alone. */
import { isLoopbackHost } from '../server/security';

/**
 * A ws:// or wss:// URL, or why not. Plain ws:// only to loopback: elsewhere anyone on the path reads the
 * token and the code, and can answer as the server (unless the user's machine setting allows it).
 */
export function checkServerUrl(value: string, allowInsecure = false): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'Enter a URL such as ws://127.0.0.1:8000/ws';
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return 'The URL must start with ws:// or wss://';
  if (url.username || url.password) return 'Put the token in the token field, not in the URL';
  if (url.protocol === 'ws:' && !isLoopbackHost(url.hostname) && !allowInsecure) {
    return `Use wss:// for ${url.hostname}: plain ws:// is only for this machine (127.0.0.1, localhost), or set punie.server.allowInsecureRemote`;
  }
  return undefined;
}
