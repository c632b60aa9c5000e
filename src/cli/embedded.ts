/**
 * The server `punie ask` and `punie stdio` start in process when no --server is given: one fixed local
 * user (whatever its fresh token), sessions kept in the data dir so `--session` finds them next time. When
 * another server holds that dir it runs in memory only (and says so), unless the caller needs the stored
 * sessions, which is then an error naming the server that holds them.
 */
import { PunieServer, type ServerUrls } from '../server/server';
import type { ServerOptions } from '../server/options';
import { LOCAL_USER } from '../server/users';
import { DataDirLockedError } from '../store/lock';

export async function startEmbedded(options: Partial<ServerOptions> & { dataDir: string }, needsStore: boolean): Promise<{ server: PunieServer; urls: ServerUrls }> {
  const server = new PunieServer({ port: 0, localUser: LOCAL_USER, ...options });
  try {
    return { server, urls: await server.listen() };
  } catch (err) {
    if (!(err instanceof DataDirLockedError) || needsStore) throw err;
    server.options.logger.warn(`${err.message}; this run keeps its session in memory only`);
    const memoryOnly = new PunieServer({ port: 0, localUser: LOCAL_USER, ...options, dataDir: undefined });
    return { server: memoryOnly, urls: await memoryOnly.listen() };
  }
}
