/** Contribution ids shared by the activation shell and the core; test/extension/ids.test.ts checks them against package.json. */
export const CHAT_VIEW_ID = 'punie.chat';

export const COMMAND_IDS = [
  'punie.ask',
  'punie.openChat',
  'punie.pickModel',
  'punie.newSession',
  'punie.showHistory',
  'punie.cancel',
  'punie.connectRemote',
  'punie.useLocal',
  'punie.reconnect',
  'punie.restartLocalServer',
  'punie.showLogs',
  'punie.copyLocalServerInfo',
  'punie.statusMenu',
] as const;

export type CommandId = (typeof COMMAND_IDS)[number];
