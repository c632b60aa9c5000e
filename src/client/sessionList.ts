/**
 * The user's sessions from `session/list`, page after page (ACP cursor paging), newest first. Shared by
 * `punie sessions list` and the extension's History; a cap keeps a huge store from making it endless.
 */
import { Methods, type ListSessionsResponse } from '../protocol/acp';
import type { PunieClientApi } from './types';

export type ListedSession = ListSessionsResponse['sessions'][number];

export async function listSessions(client: Pick<PunieClientApi, 'request'>, cwd: string | undefined, maxSessions = Infinity): Promise<ListedSession[]> {
  const all: ListedSession[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.request<ListSessionsResponse>(Methods.sessionList, { ...(cwd ? { cwd } : {}), ...(cursor ? { cursor } : {}) });
    all.push(...page.sessions);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && all.length < maxSessions);
  return all.slice(0, maxSessions);
}

/**
 * The sessions of several folders (a multi-root workspace), newest first: `session/list` filters by one cwd,
 * so each folder is asked for its own and the lists are merged.
 */
export async function listSessionsOf(client: Pick<PunieClientApi, 'request'>, cwds: readonly string[], maxSessions = Infinity): Promise<ListedSession[]> {
  const lists = await Promise.all([...new Set(cwds)].map((cwd) => listSessions(client, cwd, maxSessions)));
  const newest = (s: ListedSession) => (s.updatedAt ? Date.parse(s.updatedAt) : 0);
  return lists.flat().sort((a, b) => newest(b) - newest(a)).slice(0, maxSessions);
}
