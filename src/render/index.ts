export { renderMergeNotes } from './merge-notes.js';
export { type PlanTableOptions, renderPlanMarkdown, renderPlanTable } from './plan.js';
export {
  displayWidth,
  hanging,
  mdCell,
  mdText,
  padEnd,
  renderBoxTable,
  stripAnsi,
  type TableOptions,
  wrap,
} from './text.js';
export { renderVerifyText } from './verify.js';
