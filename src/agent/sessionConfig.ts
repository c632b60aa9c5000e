/**
 * A session's settings as ACP config options: the model (category `model`) and the mode (category `mode`),
 * which clients show as pickers and change with `session/set_config_option`.
 */
import type { SessionConfigOption } from '../protocol/acp';

export interface ModelChoice {
  value: string;
  name: string;
  description?: string;
}

export const MODES = [
  { id: 'default', name: 'Default', description: 'Asks before it writes files or runs commands' },
  { id: 'read-only', name: 'Read only', description: 'Reads and searches; never writes files or runs commands' },
];

export const MODEL_OPTION = 'model';
export const MODE_OPTION = 'mode';

export function configOptions(model: string, models: readonly ModelChoice[], mode: string): SessionConfigOption[] {
  return [
    {
      type: 'select',
      id: MODEL_OPTION,
      name: 'Model',
      description: 'The model that answers in this session; changing it keeps the conversation',
      category: 'model',
      currentValue: model,
      options: models.map((m) => ({ value: m.value, name: m.name, ...(m.description ? { description: m.description } : {}) })),
    },
    {
      type: 'select',
      id: MODE_OPTION,
      name: 'Mode',
      description: 'What the agent may do without asking',
      category: 'mode',
      currentValue: mode,
      options: MODES.map((m) => ({ value: m.id, name: m.name, description: m.description })),
    },
  ];
}

export function modeState(mode: string) {
  return { currentModeId: mode, availableModes: MODES };
}
