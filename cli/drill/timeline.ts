/** The drill's record format lives with the simulation it records (local/drill-timeline.ts). */
export type * from '../../local/drill-timeline';
export { decisionEntry } from '../../local/drill-timeline';
