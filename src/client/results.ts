/**
 * What the answer to each method the client sends must look like — the protocol's own schemas. An answer
 * that does not match fails that one request with InvalidResultError (method, request id, what was wrong)
 * instead of reaching code that trusts its shape: `result: null` to a prompt must not end `punie ask`.
 */
import { z } from 'zod';
import { InitializeResponse, ListSessionsResponse, Methods, NewSessionResponse, PromptResponse } from '../protocol/acp';
import { ResumeResponse } from '../protocol/punie';

/** ACP answers of methods that return nothing but `_meta`; `null` is accepted (Punie's older servers). */
const EMPTY = z.looseObject({ _meta: z.record(z.string(), z.unknown()).nullish() }).nullable();

const RESULTS = new Map<string, z.ZodType>([
  [Methods.initialize, InitializeResponse],
  [Methods.sessionNew, NewSessionResponse],
  [Methods.sessionLoad, ResumeResponse],
  [Methods.sessionResume, ResumeResponse],
  [Methods.sessionList, ListSessionsResponse],
  [Methods.sessionPrompt, PromptResponse],
  [Methods.sessionSetMode, EMPTY],
  [Methods.sessionClose, EMPTY],
]);

/** The schema for `method`'s answer; undefined for methods the client passes on without reading (extensions). */
export function resultSchema<T = unknown>(method: string): z.ZodType<T> | undefined {
  return RESULTS.get(method) as z.ZodType<T> | undefined;
}
