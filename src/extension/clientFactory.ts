/** The client manager the extension uses (the same one as `punie ask` and `punie stdio`). */
import { PunieClient } from '../client/manager';
import type { ClientFactory } from './clientLifecycle';

export const createClient: ClientFactory = (options) => new PunieClient(options);
