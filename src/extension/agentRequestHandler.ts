/**
 * The client side of ACP: answers the agent's fs, terminal and permission requests. Params are validated;
 * in an untrusted workspace writes and commands are refused with the reason; unknown methods get -32601.
 */
import * as vscode from 'vscode';
import type { z } from 'zod';
import type { AgentRequestHandler } from '../client/types';
import {
  CreateTerminalRequest,
  Methods,
  ReadTextFileRequest,
  RequestPermissionRequest,
  TerminalRequest,
  WriteTextFileRequest,
} from '../protocol/acp';
import { summarizeIssues } from '../protocol/issues';
import { ErrorCodes, RpcError } from '../protocol/jsonrpc';
import type { Logger } from '../util/logger';
import type { WorkspaceFiles } from './fileSystem';
import type { PermissionBroker } from './permissions';
import type { TerminalManager } from './terminals';

export function parseParams<T extends z.ZodType>(schema: T, params: unknown, method: string): z.infer<T> {
  const result = schema.safeParse(params);
  if (result.success) return result.data;
  throw new RpcError(ErrorCodes.InvalidParams, `Invalid params for ${method}: ${summarizeIssues(result.error.issues, '(params)').text}`);
}

function requireTrust(what: string): void {
  if (!vscode.workspace.isTrusted) {
    throw new RpcError(
      ErrorCodes.InvalidRequest,
      `Punie may not ${what} in this workspace because it is not trusted. Trust the workspace (Manage Workspace Trust) and try again.`,
    );
  }
}

export function createAgentRequestHandler(deps: {
  files: WorkspaceFiles;
  terminals: TerminalManager;
  permissions: PermissionBroker;
  log: Logger;
}): AgentRequestHandler {
  const { files, terminals, permissions, log } = deps;
  return async (method, params, signal) => {
    log.debug(`agent request ${method}`);
    switch (method) {
      case Methods.fsRead:
        return files.read(parseParams(ReadTextFileRequest, params, method));
      case Methods.fsWrite:
        requireTrust('write files');
        return files.write(parseParams(WriteTextFileRequest, params, method));
      case Methods.requestPermission:
        return permissions.request(parseParams(RequestPermissionRequest, params, method), signal);
      case Methods.terminalCreate: {
        requireTrust('run commands');
        const request = parseParams(CreateTerminalRequest, params, method);
        if (request.cwd) files.resolve(request.cwd, 'read');
        return terminals.create(request, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
      }
      case Methods.terminalOutput:
        return terminals.output(parseParams(TerminalRequest, params, method).terminalId);
      case Methods.terminalWaitForExit:
        return terminals.waitForExit(parseParams(TerminalRequest, params, method).terminalId, signal);
      case Methods.terminalKill:
        return terminals.kill(parseParams(TerminalRequest, params, method).terminalId);
      case Methods.terminalRelease:
        return terminals.release(parseParams(TerminalRequest, params, method).terminalId);
      default:
        throw new RpcError(ErrorCodes.MethodNotFound, `Method not found: ${method} (Punie for VS Code answers fs/*, terminal/* and session/request_permission)`);
    }
  };
}
