/** Punie's version, as every side reports it (agentInfo, clientInfo, /health, --version): package.json's. */
import { version } from '../../package.json';

export const PUNIE_VERSION: string = version;
