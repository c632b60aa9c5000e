/**
 * Compile-time agreement between our zod schemas and the ACP SDK's v1 types: what we send must be a valid
 * SDK value, and what the SDK's peers send must parse as ours. `tsc` fails this file on drift; the runtime
 * part parses SDK-shaped samples with our schemas.
 */
import assert from 'node:assert/strict';
import type * as sdk from '@agentclientprotocol/sdk' with { 'resolution-mode': 'import' };
import type { z } from 'zod';
import * as ours from '../../src/protocol/acp';

type Assignable<From, To> = [From] extends [To] ? true : false;
const check = <T extends true>(_: T) => _;

// One line per schema on purpose: a drift names the schema in tsc's error.
// Outbound (agent → client): ours must satisfy the SDK.
check<Assignable<z.infer<typeof ours.InitializeResponse>, sdk.InitializeResponse>>(true);
check<Assignable<z.infer<typeof ours.NewSessionResponse>, sdk.NewSessionResponse>>(true);
check<Assignable<z.infer<typeof ours.PromptResponse>, sdk.PromptResponse>>(true);
check<Assignable<z.infer<typeof ours.LoadSessionResponse>, sdk.LoadSessionResponse>>(true);
check<Assignable<z.infer<typeof ours.LoadSessionResponse>, sdk.ResumeSessionResponse>>(true);
check<Assignable<z.infer<typeof ours.SetConfigOptionResponse>, sdk.SetSessionConfigOptionResponse>>(true);
check<Assignable<z.infer<typeof ours.SessionNotification>, sdk.SessionNotification>>(true);
check<Assignable<z.infer<typeof ours.RequestPermissionRequest>, sdk.RequestPermissionRequest>>(true);
check<Assignable<z.infer<typeof ours.ReadTextFileRequest>, sdk.ReadTextFileRequest>>(true);
check<Assignable<z.infer<typeof ours.WriteTextFileRequest>, sdk.WriteTextFileRequest>>(true);
check<Assignable<z.infer<typeof ours.CreateTerminalRequest>, sdk.CreateTerminalRequest>>(true);
check<Assignable<z.infer<typeof ours.TerminalRequest>, sdk.TerminalOutputRequest>>(true);
// Inbound (client → agent): the SDK's requests must be acceptable to our schemas' input types.
check<Assignable<sdk.InitializeRequest, z.input<typeof ours.InitializeRequest>>>(true);
check<Assignable<sdk.NewSessionRequest, z.input<typeof ours.NewSessionRequest>>>(true);
check<Assignable<sdk.PromptRequest, z.input<typeof ours.PromptRequest>>>(true);
check<Assignable<sdk.LoadSessionRequest, z.input<typeof ours.LoadSessionRequest>>>(true);
check<Assignable<sdk.CancelNotification, z.input<typeof ours.CancelNotification>>>(true);
check<Assignable<sdk.SetSessionConfigOptionRequest, z.input<typeof ours.SetConfigOptionRequest>>>(true);
check<Assignable<sdk.RequestPermissionResponse, z.input<typeof ours.RequestPermissionResponse>>>(true);
check<Assignable<sdk.ReadTextFileResponse, z.input<typeof ours.ReadTextFileResponse>>>(true);
check<Assignable<sdk.TerminalOutputResponse, z.input<typeof ours.TerminalOutputResponse>>>(true);

describe('protocol schemas', () => {
  it('parse SDK-shaped client requests', () => {
    const init: sdk.InitializeRequest = {
      protocolVersion: 1,
      clientCapabilities: { fs: { readTextFile: true, writeTextFile: true }, terminal: true },
      clientInfo: { name: 'zed', version: '1.0.0' },
    };
    assert.ok(ours.InitializeRequest.safeParse(init).success);
    const prompt: sdk.PromptRequest = {
      sessionId: 's',
      prompt: [
        { type: 'text', text: 'hi' },
        { type: 'resource_link', uri: 'file:///a.ts', name: 'a.ts' },
        { type: 'resource', resource: { uri: 'file:///b.ts', text: 'x' } },
      ],
    };
    assert.ok(ours.PromptRequest.safeParse(prompt).success);
  });

  it('reject wrong types with a path to the bad field', () => {
    const result = ours.PromptRequest.safeParse({ sessionId: 1, prompt: [{ type: 'text' }] });
    assert.equal(result.success, false);
    const paths = result.error!.issues.map((i) => i.path.join('.'));
    assert.ok(paths.includes('sessionId'));
    assert.ok(paths.some((p) => p.startsWith('prompt.0')));
  });
});
