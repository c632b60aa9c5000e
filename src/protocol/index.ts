export * from './jsonrpc';
export * from './acp';
export * from './punie';
