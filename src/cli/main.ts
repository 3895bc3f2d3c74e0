import { Command, CommanderError, Option } from 'commander';
import { ExitCode, TailbridgeError } from '../errors.js';
import { type Io, processIo } from './io.js';
import { VERSION } from './version.js';

/** Wires commands to their plain async functions; all logic lives in src/commands and src/core. */
export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('tailbridge')
    .description("Take a homelab's Tailscale container off network_mode: host — and prove it works.")
    .version(VERSION)
    .option('-c, --config <file>', 'homelab config file (default: ./tailbridge.yaml)')
    .option('--example', 'use the built-in example homelab (the research note’s TrueNAS setup)')
    .option('--json', 'machine-readable output')
    .option('--no-color', 'never color output')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });

  const globals = () => {
    const g = program.opts<{ config?: string; example?: boolean; json?: boolean; color: boolean }>();
    if (!g.color) io.color = false;
    return { config: g.config, example: g.example, json: g.json };
  };
  const run = (load: () => Promise<number>) => async () => setExit(await load());

  program
    .command('plan')
    .description('score the modes against your requirements and environment; print the decision matrix')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'md', 'json']))
    .action(async (opts: { format?: 'table' | 'md' | 'json' }) =>
      run(async () => (await import('../commands/plan.js')).plan({ ...globals(), ...opts }, io))(),
    );

  program
    .command('generate')
    .description(
      'compose (and side files) for a mode; print, --out a directory, or --write into your compose file',
    )
    .option(
      '-m, --mode <mode>',
      'userspace | serve | macvlan | host | sidecar (default: the plan’s recommendation)',
    )
    .option('-o, --out <dir>', 'write the standalone compose file and side files into this directory')
    .option(
      '-w, --write',
      'merge into your compose file (paths.compose), keeping comments; backs it up first',
    )
    .option('--diff', 'show the merge as a unified diff; write nothing')
    .option('--compose <file>', 'compose file to merge into (overrides paths.compose)')
    .action(
      async (opts: { mode?: string; out?: string; write?: boolean; diff?: boolean; compose?: string }) =>
        run(async () => (await import('../commands/generate.js')).generate({ ...globals(), ...opts }, io))(),
    );

  program
    .command('lint')
    .description('find Tailscale/Docker networking pitfalls in compose files (files or directories)')
    .argument('[paths...]', 'compose files or directories (default: .)')
    .option('-r, --recursive', 'search directories recursively')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'sarif']))
    .option('--fix', 'apply the safe fixes through the YAML AST (comments kept; backups made)')
    .option('--diff', 'with --fix: show the fixes as a unified diff, write nothing')
    .option('--max-warnings <n>', 'exit 1 when there are more warnings than this', (v) =>
      Number.parseInt(v, 10),
    )
    .option(
      '--rule <id=level>',
      'set a rule to off, info, warning or error (repeatable; overrides tailbridge.yaml lint: and .tailbridgerc)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .action(
      async (
        paths: string[],
        opts: {
          recursive?: boolean;
          format?: 'text' | 'json' | 'sarif';
          fix?: boolean;
          diff?: boolean;
          maxWarnings?: number;
          rule?: string[];
        },
      ) =>
        run(async () => {
          const { lintCommand } = await import('../commands/lint.js');
          return lintCommand({ ...globals(), ...opts, paths }, io);
        })(),
    );

  const withTarget = (cmd: Command) =>
    cmd
      .option('--compose <file>', 'compose file (overrides paths.compose)')
      .option('-p, --project-name <name>', 'compose project name, when it is not the directory name')
      .option(
        '--override <file...>',
        'more compose files after the main one (default: <name>.override.yaml if present)',
      );
  const target = (o: { compose?: string; projectName?: string; override?: string[] }) => ({
    ...(o.compose ? { compose: o.compose } : {}),
    ...(o.projectName ? { projectName: o.projectName } : {}),
    ...(o.override ? { overrides: o.override } : {}),
  });
  const int = (v: string) => Number.parseInt(v, 10);
  const withGuard = (cmd: Command) =>
    cmd
      .option('--allow-rename', 'allow a change of the tailnet machine name (tailscale.hostname)')
      .option(
        '--allow-route-change',
        'allow dropping or changing an advertised route or the exit node (tailscale.advertiseRoutes, exitNode)',
      )
      .option(
        '--allow-state-move',
        'allow a different state directory (tailscale.stateDir): the node logs in again as a new machine',
      )
      .option(
        '--overwrite-drift',
        "deploy even when the target's compose differs from the local file (TrueNAS: edited in the UI); the local file wins",
      );
  const allow = (o: {
    allowRename?: boolean;
    allowRouteChange?: boolean;
    allowStateMove?: boolean;
    overwriteDrift?: boolean;
  }) => {
    const flags = [
      ...(o.allowRename ? (['allow-rename'] as const) : []),
      ...(o.allowRouteChange ? (['allow-route-change'] as const) : []),
      ...(o.allowStateMove ? (['allow-state-move'] as const) : []),
    ];
    return {
      ...(flags.length > 0 ? { allow: [...flags] } : {}),
      ...(o.overwriteDrift ? { overwriteDrift: true } : {}),
    };
  };

  withGuard(
    withTarget(
      program
        .command('apply')
        .description('backup, validate, write, deploy, wait, verify — and roll back automatically on failure')
        .option('-m, --mode <mode>', 'userspace | serve | macvlan | host | sidecar')
        .option('--timeout <seconds>', 'how long to wait for the container (default 90)', int)
        .option('--dry-run', 'print the diff and the steps; change nothing')
        .option('-y, --yes', 'do not ask for confirmation')
        .option('--keep <n>', 'history entries to keep (default 10)', int)
        .option('--probe', 'verify end to end through an ephemeral tailnet probe container')
        .option(
          '--approve-routes',
          "approve the node's routes through the control server's API before verifying (tailscale.control.api)",
        )
        .option('--discard-journal', 'start over an unfinished journal (after checking the files by hand)'),
    ),
  ).action(async (opts) =>
    run(async () =>
      (await import('../commands/apply.js')).apply(
        { ...globals(), ...opts, ...target(opts), ...allow(opts) },
        io,
      ),
    )(),
  );

  withTarget(
    program
      .command('rollback')
      .description('finish an interrupted apply, or restore a history entry, and redeploy it')
      .option('--to <id>', 'history entry to restore (default: the newest that differs)')
      .option('-y, --yes', 'do not ask for confirmation')
      .option('--timeout <seconds>', 'how long to wait for the container (default 90)', int)
      .option('--keep <n>', 'history entries to keep (default 10)', int),
  ).action(async (opts) =>
    run(async () =>
      (await import('../commands/rollback.js')).rollback({ ...globals(), ...opts, ...target(opts) }, io),
    )(),
  );

  withGuard(
    withTarget(
      program
        .command('migrate')
        .description(
          'the staged strategy: try each mode in order, keep the first that verifies, else restore the original',
        )
        .option('--modes <list>', 'modes to try, comma-separated (default: the plan’s attempt order)')
        .option('--dry-run', 'print the phases it would run; change nothing')
        .option('--timeout <seconds>', 'how long each phase waits for its container (default 90)', int)
        .option('--probe', 'verify end to end through an ephemeral tailnet probe container')
        .option(
          '--approve-routes',
          "approve the node's routes through the control server's API after each deploy (tailscale.control.api)",
        )
        .option('-y, --yes', 'do not ask for confirmation'),
    ),
  ).action(async (opts) =>
    run(async () =>
      (await import('../commands/migrate.js')).migrate(
        {
          ...globals(),
          ...opts,
          ...target(opts),
          ...allow(opts),
          ...(opts.modes ? { modes: [opts.modes] } : {}),
        },
        io,
      ),
    )(),
  );

  withTarget(program.command('history').description('list the backups apply and rollback made')).action(
    async (opts) =>
      run(async () =>
        (await import('../commands/history.js')).history({ ...globals(), ...target(opts) }, io),
      )(),
  );

  withTarget(
    program
      .command('report')
      .description('the decision record of the last migrate or verify run')
      .addOption(new Option('-f, --format <format>', 'output format').choices(['md', 'json', 'html']))
      .option('-o, --out <file>', 'write to a file instead of printing'),
  ).action(async (opts) =>
    run(async () =>
      (await import('../commands/report.js')).report({ ...globals(), ...opts, ...target(opts) }, io),
    )(),
  );

  program
    .command('verify')
    .description('layered checks with evidence: L1 container, L2 namespace, L3 tailnet, L4 end to end')
    .option('-m, --mode <mode>', 'mode to verify (default: detected from the running container)')
    .option(
      '--probe',
      'L4 through an ephemeral tailnet probe container started on the Docker host (removed afterwards)',
    )
    .option(
      '--from-tailnet',
      'L4 by dialing the targets from this machine (run it on a remote tailnet device)',
    )
    .option('--socket <path>', "with --from-tailnet: this machine's tailscaled socket (tailscale --socket)")
    .action(async (opts: { mode?: string; probe?: boolean; fromTailnet?: boolean; socket?: string }) =>
      run(async () => (await import('../commands/verify.js')).verify({ ...globals(), ...opts }, io))(),
    );

  const routesCmd = program
    .command('routes')
    .description(
      "the node's subnet routes on the control server (Headscale or Tailscale's API), each with its state",
    )
    .action(async () => run(async () => (await import('../commands/routes.js')).routes(globals(), io))());
  routesCmd
    .command('approve')
    .description(
      'approve the advertised routes tailbridge.yaml expects through the API, then print the autoApprovers policy snippet',
    )
    .option('-y, --yes', 'do not ask for confirmation (required without a terminal)')
    .action(async (opts: { yes?: boolean }) =>
      run(async () => (await import('../commands/routes.js')).routesApprove({ ...globals(), ...opts }, io))(),
    );

  program
    .command('discover')
    .description(
      'read this host and Docker: interfaces, LAN, macvlan parents, networks, containers, the tailscale container',
    )
    .action(async () => run(async () => (await import('../commands/discover.js')).discover(globals(), io))());

  program
    .command('shim')
    .description(
      'host-side macvlan shim so the host can reach a macvlan tailscale container (confirm or revert)',
    )
    .argument('<action>', 'apply | remove | status')
    .option('-y, --yes', 'keep the shim without asking when the reachability probe passes')
    .option('--force', 'with --yes: keep it even when the probe fails')
    .option('--timeout <seconds>', 'seconds to wait for confirmation (default 30)', (v) =>
      Number.parseInt(v, 10),
    )
    .option('--interface <name>', 'shim interface name (default: TrueNAS-safe name from the config)')
    .action(
      async (
        action: string,
        opts: { yes?: boolean; force?: boolean; timeout?: number; interface?: string },
      ) =>
        run(async () => {
          if (!['apply', 'remove', 'status'].includes(action))
            throw new TailbridgeError(`unknown shim action "${action}" (expected apply, remove or status)`);
          const { shim } = await import('../commands/shim.js');
          return shim(
            action as 'apply' | 'remove' | 'status',
            {
              ...globals(),
              ...(opts.yes ? { yes: true } : {}),
              ...(opts.force ? { force: true } : {}),
              ...(opts.timeout !== undefined ? { timeoutSeconds: opts.timeout } : {}),
              ...(opts.interface ? { interfaceName: opts.interface } : {}),
            },
            io,
          );
        })(),
    );

  program
    .command('init')
    .description('write a starting tailbridge.yaml to edit (the example homelab, or --discover this host)')
    .option('--force', 'overwrite an existing file (a backup is kept)')
    .option('--discover', 'draft the config from this host and its Docker engine')
    .option(
      '--truenas-url <url>',
      'with --discover: draft target: for this TrueNAS API (wss://nas/api/current)',
    )
    .option('--truenas-key-file <file>', 'with --truenas-url: file holding the API key (to list the apps)')
    .option('--truenas-fingerprint <sha256>', "with --truenas-url: the NAS certificate's SHA-256 fingerprint")
    .action(async (opts: { force?: boolean; discover?: boolean }) =>
      run(async () => (await import('../commands/init.js')).init({ ...globals(), ...opts }, io))(),
    );

  program
    .command('schema')
    .description('print the JSON Schema of tailbridge.yaml (for editor completion)')
    .action(async () => run(async () => (await import('../commands/schema.js')).schema(io))());

  return program;
}

/** The one top-level catch: maps errors to exit codes, prints one line per problem, no stack trace. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  let code: number = ExitCode.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    return handleError(error, io);
  }
}

function handleError(error: unknown, io: Io): number {
  if (error instanceof CommanderError) {
    if (
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.version' ||
      error.exitCode === 0
    )
      return ExitCode.ok;
    return ExitCode.usage; // commander already printed its one-line message
  }
  if (error instanceof TailbridgeError) {
    if (error.message) io.stderr(error.message);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr(`tailbridge: internal error: ${message} (set TAILBRIDGE_DEBUG=1 for details)`);
  if (process.env.TAILBRIDGE_DEBUG && error instanceof Error) io.stderr(error.stack ?? '');
  return 70;
}
