/**
 * The fetch an HTTP or SSE MCP transport uses: every request it makes — a redirect the SDK follows (it
 * follows same-origin ones itself, through this fetch), the message endpoint an SSE server names — must
 * go to a URL the operator's `--allow-mcp` allows, not only the URL the client asked for. Redirects are
 * never left to fetch, so none is followed unchecked.
 */
import type { McpServerConfig } from './config';
import type { McpPolicy } from './policy';

type HttpConfig = Exclude<McpServerConfig, { transport: 'stdio' }>;
export type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

export function policyFetch(config: HttpConfig, policy: McpPolicy, base: FetchLike = fetch): FetchLike {
  return (url, init) => {
    const target = String(url);
    if (!policy.allows({ ...config, url: target })) {
      return Promise.reject(new Error(`it sent Punie to ${target}, which this server's --allow-mcp does not allow`));
    }
    return base(url, { ...init, redirect: init?.redirect === 'error' ? 'error' : 'manual' });
  };
}
