/** The `punie serve` flags for the server's limits, from the one table in src/server/limitTable.ts. */
import { SERVER_LIMITS, type ServerLimitKey } from '../server/limitTable';
import { defaultServerOptions, type ServerOptions } from '../server/options';
import { intOption } from './args';

/** `parseArgs` option specs for the limit flags. */
export const limitArgSpecs = Object.fromEntries(SERVER_LIMITS.map((f) => [f.flag, { type: 'string' as const }]));

/** The limits given on the command line, defaults elsewhere. */
export function limitOptions(values: Record<string, unknown>): Pick<ServerOptions, ServerLimitKey> {
  return Object.fromEntries(
    SERVER_LIMITS.map((f) => [f.key, intOption(f.flag, values[f.flag] as string | undefined, defaultServerOptions[f.key])]),
  ) as Pick<ServerOptions, ServerLimitKey>;
}

/** Help lines: flag, what it limits, default. */
export function limitHelp(): string {
  return SERVER_LIMITS.map((f) => `  --${`${f.flag} ${f.arg}`.padEnd(34)}${f.help} (default ${defaultServerOptions[f.key]})\n`).join('');
}
