import path from 'node:path';
import { SOURCES, type SourceId } from '../facts/sources.js';
import { generate } from '../generate/index.js';
import { approveRoutesStep } from '../generate/manual-steps.js';
import { MODE_INFO, MODES, type Mode } from '../model/modes.js';
import type { CellValue, MatrixRow, PlanSource } from '../plan/types.js';
import type { Check, VerifyReport } from '../verify/types.js';
import { allReportsByMode, type CellView, decideCell, hostServices, ROW_CHECKS } from './evidence.js';
import { renderMermaid } from './mermaid.js';
import { redact } from './redact.js';
import { topology } from './topology.js';
import type { MigrationRun, PhaseResult } from './types.js';

export const RECORD_SLUG = 'tailscale-network-mode';
const RECORD_NAME = /^(\d{4})-.*\.md$/;

/**
 * Where the next decision record goes: `<dir>/NNNN-tailscale-network-mode.md`, numbered one after
 * the highest `NNNN-*.md` among `existingFileNames` (0001 when there is none). Pure.
 */
export function nextRecordPath(
  existingFileNames: readonly string[],
  dir = 'docs/decisions',
): { path: string; number: number } {
  const numbers = existingFileNames
    .map((f) => RECORD_NAME.exec(path.posix.basename(f.replace(/\\/g, '/'))))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]));
  const number = Math.max(0, ...numbers) + 1;
  return { path: path.posix.join(dir, `${recordNumber(number)}-${RECORD_SLUG}.md`), number };
}

export const recordNumber = (n: number): string => String(n).padStart(4, '0');

const EMOJI: Record<CellValue, string> = { yes: '✅', no: '❌', partial: '⚠️' };
const modeLabel = (m: Mode) => `${m} (${MODE_INFO[m].letter})`;
const modeHeader = (m: Mode) => `${MODE_INFO[m].letter} ${m}`;
const OUTCOME: Record<PhaseResult['outcome'], string> = {
  passed: '✅ passed',
  failed: '❌ failed',
  blocked: '⛔ blocked',
  skipped: '⏭️ skipped',
};

/** Markdown-safe text (placeholders like <port> are not HTML) on one line. */
const t = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r?\n/g, ' ');
const cellText = (s: string) => t(s).replace(/\|/g, '\\|');
const code = (s: string) => (s.includes('`') ? `\`\` ${s} \`\`` : `\`${s}\``);

function sourceLink(source: PlanSource): string {
  if (source === 'measured') return 'tailbridge discover';
  return `[${source}](${SOURCES[source].url})`;
}

/** The mode deployed at the end of the run. */
export function chosenMode(run: MigrationRun): Mode {
  return run.final.mode ?? run.final.verify?.mode ?? run.originalMode ?? 'host';
}

const footnote = (row: MatrixRow, m: Mode) => `${row.id}-${MODE_INFO[m].letter}`;

function listChecks(checks: Check[], max = 2): string {
  const shown = checks.slice(0, max).map((c) => code(c.id));
  return checks.length > max ? `${shown.join(', ')} +${checks.length - max}` : shown.join(', ');
}

/**
 * A matrix cell as Markdown: measured (✅/❌ + the check ids that decided it), partly measured (the
 * supporting checks that passed and what was not measured), or sourced (✅/❌/⚠️ + source link).
 */
export function matrixCell(view: CellView, row: MatrixRow): string {
  const fn = `[^${footnote(row, view.mode)}]`;
  if (view.kind === 'measured')
    return `${view.value === 'yes' ? '✅' : '❌'} measured: ${listChecks(view.checks)} ${view.value === 'yes' ? 'passed' : 'failed'}${fn}`;
  if (view.kind === 'partly')
    return `${EMOJI[view.cell.value]} ${view.cell.value} · partly measured: ${listChecks(view.checks)} passed, ${view.short}${fn}`;
  return `${EMOJI[view.cell.value]} ${view.cell.value} · sourced: ${sourceLink(view.cell.source)}${fn}`;
}

/** Where a check was measured: the phase whose verification holds it with that status, else the final one. */
export type WhereMeasured = (mode: Mode, check: Check) => string;

function footnoteText(view: CellView, row: MatrixRow, where: WhereMeasured): string {
  const seed = row.seed?.[view.mode];
  const seedNote =
    seed === undefined
      ? ''
      : ` The seed note said ${seed === 'unknown' ? 'unknown (it left this cell open)' : `${EMOJI[seed]} ${seed}`}.`;
  const planned = `${view.cell.value} — ${t(view.cell.reason)} (${sourceLink(view.cell.source)})`;
  if (view.kind === 'sourced') return `**${planned}**.${seedNote}`;
  const places = [...new Set(view.checks.map((c) => where(view.mode, c)))].join(' and ');
  const evidence = view.checks
    .slice(0, 4)
    .map(
      (c) =>
        `${code(c.id)} ${c.status}: ${t(c.evidence)}${c.status === 'fail' && c.hint ? ` (fix: ${t(c.hint)})` : ''}`,
    )
    .join('; ');
  const more = view.checks.length > 4 ? `; and ${view.checks.length - 4} more` : '';
  if (view.kind === 'partly')
    return `**partly measured** in ${places}: ${evidence}${more}. Not measured: ${t(view.missing)}. Planned: ${planned}.${seedNote}`;
  return `**measured ${view.value === 'yes' ? 'yes' : 'no'}** in ${places}: ${evidence}${more}. Planned: ${planned}.${seedNote}`;
}

const REQUIREMENT_LABELS: Record<string, string> = {
  subnetRouting: 'Reach LAN devices from the tailnet (subnet routing)',
  dockerServiceDiscovery: 'Reach services by container name (Docker DNS)',
  nonHttpServices: 'Non-HTTP services',
  hostAccess: 'Tailnet devices reach the Docker host’s LAN address',
  hostToTailnet: 'Host processes dial tailnet devices',
  exitNode: 'Exit node',
  reachAtTailscaleIp: 'Services at <tailscale-ip>:<port>',
  priority: 'Priority',
};

const ENV_LABELS: Record<string, string> = {
  parentInterface: 'LAN parent interface',
  parentKind: 'Parent interface kind',
  parentIsBridgePort: 'Parent is a bridge port',
  parentBridge: 'Bridge of the parent',
  tunDevice: '/dev/net/tun on the host',
  freeLanAddress: 'Free LAN address reserved for macvlan',
  macvlanAddressInSubnet: 'macvlan address inside the LAN subnet',
  macvlanRangeInSubnet: 'macvlan ip_range inside the LAN subnet',
  macvlanAddressOutsideDhcp: 'macvlan address outside the DHCP pool',
  macvlanRangeOutsideDhcp: 'macvlan ip_range outside the DHCP pool',
  macvlanAddressUnused: 'macvlan address unused on the LAN',
  shimAddressUnused: 'Shim address unused',
  shimAddressOutsidePools: 'Shim address outside DHCP and ip_range',
  lanAddressesInUse: 'LAN addresses seen in use',
  virtualized: 'Host is a VM',
  vswitchAllowsExtraMacs: 'vSwitch accepts extra MACs',
  truenasVersion: 'TrueNAS SCALE version',
  composeFlavor: 'Compose flavour',
  hostIpForward: 'Host net.ipv4.ip_forward',
  hostIpv6Forward: 'Host IPv6 forwarding',
  dockerNetworkSubnets: 'Docker network subnets',
};

const value = (v: unknown): string =>
  typeof v === 'boolean' ? (v ? 'yes' : 'no') : Array.isArray(v) ? v.join(', ') || '(none)' : String(v);

function summary(r: VerifyReport): string {
  const s = r.summary;
  return `${s.pass} passed, ${s.fail} failed, ${s.skip} skipped (${(r.durationMs / 1000).toFixed(1)} s)`;
}

function checkTable(checks: Check[]): string[] {
  const out = ['| Check | What | Evidence | Fix |', '| --- | --- | --- | --- |'];
  for (const c of checks)
    out.push(
      `| ${code(c.id)} | ${cellText(c.title)} | ${cellText(c.evidence)} | ${cellText(c.hint ?? '—')} |`,
    );
  return out;
}

/** Shell-quotes a path when it needs it. */
const sh = (s: string) => (/^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

function configFlag(run: MigrationRun): string {
  return run.configFile.startsWith('<example>') ? '--example' : `--config ${sh(run.configFile)}`;
}

/** How to go back: tailbridge's own commands, then the manual copy + compose up. */
export function rollbackLines(run: MigrationRun): string[] {
  const out: string[] = [];
  const flag = configFlag(run);
  const compose = run.composeFile;
  const composeDir = path.posix.dirname(compose);
  const original =
    run.rollback.original ??
    (run.phases.find((p) => p.backupId)
      ? { historyId: run.phases.find((p) => p.backupId)!.backupId! }
      : undefined);
  const up =
    run.environment.composeFlavor === 'v1'
      ? `docker-compose -f ${sh(compose)} up -d`
      : `docker compose -f ${sh(compose)} up -d`;
  const orig = run.originalMode ? modeLabel(run.originalMode) : 'the original configuration';
  if (run.final.state === 'restored')
    out.push(
      `Nothing to roll back: every mode tried failed and ${orig} was restored${run.final.verify?.verdict === 'pass' ? ' and verified' : run.final.verify ? ' (its verification failed)' : ''}. The backup taken before each phase stays in the history:`,
      '',
    );
  else if (run.final.state === 'failed')
    out.push(`⚠️ **The run ended without a verified configuration. Restore ${orig} now:**`, '');
  else if (run.kind === 'verify')
    out.push('This run only verified what is deployed. Earlier changes can be undone from the history:', '');
  else out.push(`To return to the configuration before this run (${orig}):`, '');
  out.push('```sh');
  for (const c of run.rollback.commands) out.push(redact(c));
  out.push(`tailbridge history ${flag}    # the backups, newest first`);
  if (!run.rollback.commands.some((c) => c.startsWith('tailbridge rollback')))
    out.push(
      `tailbridge rollback ${flag}${original ? ` --to ${original.historyId}` : ''}    # restore, redeploy, wait until ready`,
    );
  out.push('```', '');
  if (original) {
    const entry = path.posix.join(composeDir, '.tailbridge', 'history', original.historyId);
    const base = path.posix.basename(compose);
    const copy = original.copy
      ? path.posix.join(composeDir, original.copy)
      : `${entry}/files/$(jq -r '.files[] | select(.path == "${base}") | .sha256' ${sh(`${entry}/manifest.json`)})`;
    out.push(
      'By hand, without tailbridge (the history entry keeps the original file byte for byte):',
      '',
      '```sh',
      `cp ${original.copy ? sh(copy) : `"${copy}"`} ${sh(compose)}`,
      up,
      '```',
      '',
    );
  } else out.push('No backup was taken in this run, so there is no history copy to restore by hand.', '');
  if (chosenMode(run) === 'macvlan' && run.final.state === 'migrated')
    out.push(`The macvlan host shim is separate: \`tailbridge shim remove ${flag}\` takes it down.`, '');
  return out;
}

function phaseLines(p: PhaseResult, i: number, run: MigrationRun): string[] {
  const out = [`### Phase ${i + 1} — ${modeLabel(p.mode)}: ${OUTCOME[p.outcome]}`, ''];
  const secs = (p.durationMs / 1000).toFixed(1);
  out.push(`- **Started:** ${p.startedAt}, took ${secs} s`);
  const blockers = p.preflight.blockers;
  out.push(
    `- **Preflight:** ${blockers.length === 0 ? 'nothing blocks this mode here' : blockers.map((b) => `${b.severity === 'blocks' ? '⛔' : '⚠️'} ${t(b.message)} (${sourceLink(b.source)})`).join('; ')}`,
  );
  if (p.kind === 'keep-original')
    out.push(
      `- **Applied:** nothing — ${code(run.composeFile)} already runs ${modeLabel(p.mode)}; the original file was kept as it is and verified`,
    );
  else if (p.outcome !== 'blocked' && p.outcome !== 'skipped') {
    out.push(`- **Backup:** ${p.backupId ? `history entry ${code(p.backupId)}` : 'none recorded'}`);
    out.push(`- **Applied:** the ${p.mode} compose changes to ${code(run.composeFile)}`);
  }
  if (p.verify)
    out.push(`- **Verification:** ${p.verify.verdict === 'pass' ? '✔' : '✖'} ${summary(p.verify)}`);
  out.push(`- **Result:** ${t(p.reason)}`);
  if (p.kind !== 'keep-original' && (p.outcome === 'failed' || p.rolledBack))
    out.push(`- **Rolled back:** ${p.rolledBack ? 'yes' : 'no'}`);
  out.push('');
  const failed = p.verify?.checks.filter((c) => c.status === 'fail') ?? [];
  if (failed.length > 0) out.push('Failed checks:', '', ...checkTable(failed), '');
  return out;
}

function diagram(run: MigrationRun, mode: Mode, reports: readonly VerifyReport[] | undefined): string[] {
  const topo = topology(run.config, mode, reports);
  const counts = { verified: 0, failed: 0, unverified: 0 };
  for (const e of topo.edges) counts[e.status]++;
  return [
    `<!-- tailbridge:topology ${mode} -->`,
    '```mermaid',
    renderMermaid(topo).trimEnd(),
    '```',
    '',
    `Paths: ${counts.verified} verified ✔, ${counts.failed} failed ✖, ${counts.unverified} unverified.`,
    '',
  ];
}

/** The phase (or the final verification) whose report holds a check with that status. */
export function whereMeasured(run: MigrationRun): WhereMeasured {
  return (mode, check) => {
    const i = run.phases.findIndex(
      (p) =>
        p.verify?.mode === mode &&
        p.verify.checks.some((c) => c.id === check.id && c.status === check.status),
    );
    return i >= 0 ? `phase ${i + 1}` : 'the final verification';
  };
}

export interface RecordOptions {
  /** Record number for the title (default: run.record?.number, else 1). */
  number?: number;
}

/** The ADR-style decision record of a migrate (or verify) run, as Markdown. Secrets are redacted. */
export function renderDecisionRecord(run: MigrationRun, options: RecordOptions = {}): string {
  const { config, plan } = run;
  const chosen = chosenMode(run);
  const reports = allReportsByMode(run);
  const context = { hostServices: hostServices(config) };
  const where = whereMeasured(run);
  const number = options.number ?? run.record?.number ?? 1;
  const restored = run.final.state === 'restored';
  // Restored means the original runs again; "verified" only when its last verification passed.
  const keptFailed = run.phases.some((p) => p.mode === chosen && p.outcome === 'failed');
  const restoredVerified = restored && run.final.verify?.verdict === 'pass' && !keptFailed;
  const out: string[] = [];
  const titleMode = restored ? `${modeLabel(chosen)} — original configuration kept` : modeLabel(chosen);
  out.push(`# ${recordNumber(number)}. Tailscale network mode: ${titleMode}`, '');
  const status =
    run.final.state === 'failed'
      ? 'Failed — no configuration verified; roll back (see below)'
      : run.final.state === 'verified'
        ? `Accepted — ${chosen} verified in place`
        : restored
          ? restoredVerified
            ? `Accepted — fallback to ${chosen}`
            : `Fallback to ${chosen} — the original configuration runs again, but its verification ${run.final.verify || keptFailed ? 'failed' : 'did not run'} (see below)`
          : 'Accepted';
  const secs = ((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000).toFixed(0);
  out.push(
    `- **Status:** ${status}`,
    `- **Date:** ${run.finishedAt.slice(0, 10)}`,
    `- **Decided by:** \`tailbridge ${run.kind}\` ${t(run.toolVersion)}, ${run.startedAt} → ${run.finishedAt} (${secs} s)`,
    `- **Config:** ${code(run.configFile)} · **compose file:** ${code(run.composeFile)}`,
    '',
  );

  // Context
  const ts = config.tailscale;
  out.push('## Context', '');
  out.push(
    `The tailscale container ${code(ts.containerName)} (machine ${code(ts.hostname)}, image ${code(run.originalImage ?? ts.image)}) ran ${run.originalMode ? `in ${modeLabel(run.originalMode)}` : 'with network_mode: host'} on ${t(config.host.name)} (${config.host.address}${config.host.platform === 'truenas' ? `, TrueNAS${config.host.truenasVersion ? ` ${config.host.truenasVersion}` : ''}` : ''}). ` +
      `The LAN is ${config.lan.subnet} behind ${config.lan.gateway}; the node advertises ${ts.advertiseRoutes.length > 0 ? ts.advertiseRoutes.join(', ') : 'no routes'}${ts.exitNode ? ' and an exit node' : ''}. ` +
      `${run.originalImage && run.originalImage !== ts.image ? `The new configuration pins ${code(ts.image)}. ` : ''}` +
      'Host networking bypasses Docker networking (no service discovery by container name) and shares the host’s namespace, so the goal was to move the container off it and keep what the homelab relies on.',
    '',
  );
  if (config.services.length > 0) {
    out.push('Services behind it:', '');
    for (const s of config.services)
      out.push(
        `- ${code(s.name)} ${s.protocol} :${s.port} on ${code(s.network)}${s.publishedOnHost ? `, published on ${config.host.address}:${s.port}` : ', not published on the host'}`,
      );
    out.push('');
  }
  out.push('### Requirements', '', '| Requirement | This homelab |', '| --- | --- |');
  for (const [k, v] of Object.entries(config.requirements))
    out.push(
      `| ${cellText(REQUIREMENT_LABELS[k] ?? k)} | ${typeof v === 'boolean' ? (v ? '✅ required' : 'not required') : cellText(String(v))} |`,
    );
  out.push('');
  const envEntries = Object.entries(run.environment).filter(([, v]) => v !== undefined);
  out.push('### Environment', '');
  if (envEntries.length === 0) out.push('Nothing was discovered beyond the config.');
  else {
    out.push('| Fact | Value |', '| --- | --- |');
    for (const [k, v] of envEntries) out.push(`| ${cellText(ENV_LABELS[k] ?? k)} | ${cellText(value(v))} |`);
  }
  out.push('');

  // Options
  out.push('## Options considered', '');
  const rank = new Map(plan.ranking.map((r) => [r.mode, r]));
  const letters: Mode[] = ['userspace', 'serve', 'macvlan', 'host', 'sidecar'];
  for (const m of letters) {
    const phases = run.phases.filter((p) => p.mode === m);
    const r = rank.get(m);
    const dropped = plan.dropped.find((d) => d.mode === m);
    const tried =
      phases.length > 0
        ? phases.map((p) => `tried: ${OUTCOME[p.outcome]}`).join(', ')
        : run.kind === 'verify' && m === chosen
          ? 'deployed, verified in place'
          : plan.order.includes(m)
            ? 'in the attempt order, not reached'
            : `not tried — ${t(dropped?.reason ?? 'not in the attempt order')}`;
    out.push(
      `- **${MODE_INFO[m].letter} ${m}** — ${t(MODE_INFO[m].title)}. Score ${r?.score ?? '?'}, ${r?.fit ? 'fit' : 'not fit'}; ${tried}.`,
    );
  }
  out.push(
    '',
    `Attempt order from the plan: ${plan.order.map(modeLabel).join(' → ')} (priority ${plan.priority}).`,
    '',
  );

  // Matrix
  out.push('## Decision matrix', '');
  out.push(
    'Every cell is either **measured** here (✅/❌ with the verify checks that decided it) or **sourced** (the planner’s verdict for this config, with its source). Rows marked † are not in the seed note’s matrix.',
    '',
  );
  out.push(`| Requirement | ${MODES.map(modeHeader).join(' | ')} |`);
  out.push(`| --- | ${MODES.map(() => '---').join(' | ')} |`);
  const notes: string[] = [];
  for (const row of plan.matrix) {
    const views = MODES.map((m) => decideCell(row, m, reports.get(m), context));
    const head = `${cellText(row.label)}${row.inSeed ? '' : ' †'}${row.required ? ' **(required)**' : ''}`;
    out.push(`| ${head} | ${views.map((v) => matrixCell(v, row)).join(' | ')} |`);
    for (const v of views) notes.push(`[^${footnote(row, v.mode)}]: ${footnoteText(v, row, where)}`);
  }
  out.push('');
  const measurable = Object.entries(ROW_CHECKS).map(([id, spec]) => {
    const proof = spec!.proof.map((p) =>
      p === '{host}' ? code('L4.lan:<service published on the host>') : code(p),
    );
    const partial = spec!.partial?.length ? `; partly: ${spec!.partial.map(code).join(', ')}` : '';
    return `${id} ← ${proof.join(', ') || 'no proving check'}${partial}`;
  });
  out.push(
    `Measured rows and the checks that decide them (✅ measured needs a proving check that ran and passed; only supporting checks make it "partly measured"): ${measurable.join('; ')}.`,
    '',
  );

  // Phases
  out.push('## Phases', '');
  if (run.phases.length === 0) {
    const r = run.final.verify;
    out.push(
      r
        ? `This record comes from a \`tailbridge ${run.kind}\` run: no mode was switched; ${modeLabel(r.mode)} was verified in place — ${r.verdict === 'pass' ? '✔' : '✖'} ${summary(r)}.`
        : 'No phase ran.',
      '',
    );
    const failed = r?.checks.filter((c) => c.status === 'fail') ?? [];
    if (failed.length > 0) out.push('Failed checks:', '', ...checkTable(failed), '');
  }
  run.phases.forEach((p, i) => {
    out.push(...phaseLines(p, i, run));
  });
  if (run.final.verify && run.phases.length > 0) {
    const r = run.final.verify;
    out.push(
      `Final state: **${run.final.state}** — ${modeLabel(r.mode)} deployed, last verification ${r.verdict === 'pass' ? '✔' : '✖'} ${summary(r)}.`,
      '',
    );
  } else if (run.phases.length > 0)
    out.push(`Final state: **${run.final.state}** — ${modeLabel(chosen)} deployed.`, '');

  // Decision
  out.push('## Decision', '');
  const winning = run.phases.find((p) => p.mode === chosen && p.outcome === 'passed');
  if (restored)
    out.push(
      `Keep **${modeLabel(chosen)}**: ${run.phases
        .filter((p) => p.outcome !== 'skipped')
        .map((p) => `${p.mode} ${p.outcome} (${t(p.reason)})`)
        .join(
          '; ',
        )}. ${restoredVerified ? 'The original configuration was restored and verified.' : `The original configuration was restored; its verification ${run.final.verify || keptFailed ? 'failed' : 'did not run'}.`}`,
      '',
    );
  else if (run.final.state === 'failed')
    out.push(`No mode is verified. Last deployed: ${modeLabel(chosen)}.`, '');
  else
    out.push(
      `Run the tailscale container in **${modeLabel(chosen)}** — ${t(MODE_INFO[chosen].title)}.${winning ? ` ${t(winning.reason)}.` : ''}`,
      '',
    );
  out.push('### Trade-offs of this mode', '');
  const tradeoffs = plan.matrix
    .map((row) => ({ row, view: decideCell(row, chosen, reports.get(chosen), context) }))
    .filter(({ view }) => (view.kind === 'measured' ? view.value === 'no' : view.cell.value !== 'yes'));
  if (tradeoffs.length === 0) out.push('None found: every row is ✅ for this mode.');
  for (const { row, view } of tradeoffs)
    out.push(
      view.kind === 'measured'
        ? `- ❌ **${t(row.label)}** — measured: ${view.checks.map((c) => `${code(c.id)} ${t(c.evidence)}`).join('; ')}`
        : `- ${EMOJI[view.cell.value]} **${t(row.label)}** — ${t(view.cell.reason)} (${sourceLink(view.cell.source)})${view.kind === 'partly' ? `; partly measured, not measured: ${t(view.missing)}` : ''}`,
    );
  out.push('');
  out.push(`### Topology: ${modeLabel(chosen)}`, '');
  out.push(...diagram(run, chosen, reports.get(chosen)));
  const others = [
    ...new Set(run.phases.filter((p) => p.outcome === 'failed' || p.outcome === 'passed').map((p) => p.mode)),
  ].filter((m) => m !== chosen);
  for (const m of others) {
    out.push(`### Topology tried: ${modeLabel(m)}`, '');
    out.push(...diagram(run, m, reports.get(m)));
  }

  // Rollback
  out.push('## Rollback', '', ...rollbackLines(run));

  // Manual steps
  out.push('## Remaining manual steps', '');
  let steps: string[] = [];
  try {
    steps = generate(config, chosen).manualSteps;
  } catch (e) {
    steps = [`(could not derive the steps for ${chosen}: ${(e as Error).message})`];
  }
  steps = withoutMeasuredSteps(steps, run);
  if (steps.length === 0) out.push('None.');
  steps.forEach((s, i) => {
    out.push(`${i + 1}. ${t(s)}`);
  });
  out.push('');

  // Sources
  const used = new Set<SourceId>(['seed-note']);
  const add = (s: PlanSource | undefined) => {
    if (s && s !== 'measured') used.add(s);
  };
  for (const row of plan.matrix) for (const m of MODES) add(row.cells[m].source);
  for (const p of run.phases) {
    for (const b of p.preflight.blockers) add(b.source);
    for (const c of p.verify?.checks ?? []) if (c.status === 'fail') add(c.source);
  }
  for (const c of run.final.verify?.checks ?? []) if (c.status === 'fail') add(c.source);
  out.push('## Sources', '');
  for (const s of [...used].sort()) out.push(`- [${s}](${SOURCES[s].url}) — ${t(SOURCES[s].title)}`);
  out.push('', ...notes, '');
  return redact(out.join('\n'));
}

/** Drops the "approve the routes" step when the last verification measured them approved. */
function withoutMeasuredSteps(steps: string[], run: MigrationRun): string[] {
  const checks = run.final.verify?.checks ?? [];
  const approval = checks.filter((c) => /(^|\/)L3\.(route:|exit-node)/.test(c.id));
  if (approval.length === 0 || approval.some((c) => c.status !== 'pass')) return steps;
  const step = approveRoutesStep(run.config, run.config.tailscale.hostname);
  return steps.filter((s) => s !== step);
}
