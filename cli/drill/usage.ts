import { SCENARIO_NAMES } from './scenarios';

/** Usage lines of the drill commands, apart from their code so `drctl help` does not load the drill. */
export const DRILL_USAGE = `usage: drctl drill [--scenario <${SCENARIO_NAMES.join('|')}>] [--report <path>] [--port <n>] [--json]`;
export const SANDBOX_USAGE = 'usage: drctl sandbox [--port <n>]';
