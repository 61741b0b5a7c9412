import { VARIABLES } from '../config/variables.js';

/** The environment table printed by the commands that read the configuration. */
export function environmentHelp(): string {
  const width = Math.max(...VARIABLES.map((v) => v.name.length));
  return [
    'Environment:',
    ...VARIABLES.map((v) => `  ${v.name.padEnd(width)}  ${v.description}${v.default ? ` Default: ${v.default}.` : ''}${v.reserved ? ' (Reserved: validated, not yet used.)' : ''}`),
    '',
  ].join('\n');
}
