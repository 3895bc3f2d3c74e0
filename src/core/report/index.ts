export {
  allReportsByMode,
  type CellView,
  checksMatching,
  decideCell,
  matchCheck,
  ROW_CHECKS,
  type RowCheckSpec,
  reportsByMode,
} from './evidence.js';
export { runFromVerify } from './from-verify.js';
export { recordToHtml, renderHtmlReport } from './html.js';
export { mermaidLabel, renderMermaid } from './mermaid.js';
export { appendSessionNote, resultsSection, sessionNoteEntry, upsertResultsSection } from './notes.js';
export {
  chosenMode,
  matrixCell,
  nextRecordPath,
  RECORD_SLUG,
  type RecordOptions,
  recordNumber,
  renderDecisionRecord,
  rollbackLines,
} from './record.js';
export { REDACTED, redact, redactJson } from './redact.js';
export { escapeXml, renderSvg } from './svg.js';
export {
  type Column,
  type EdgeStatus,
  type NodeKind,
  type TopoEdge,
  type Topology,
  type TopoNode,
  topology,
} from './topology.js';
export type { FinalState, MigrationRun, PhaseResult, PreflightFinding } from './types.js';
