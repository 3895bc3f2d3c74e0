import type { HostProbe } from '../../adapters/probe.js';
import type { ProbeContainers } from '../../adapters/probe-container.js';
import type { ControlAccess } from '../../core/control/ports.js';
import type { HomelabConfig } from '../../core/model/config.js';
import type { Mode } from '../../core/model/modes.js';
import type { DockerEngine } from '../../core/ports/docker.js';
import type { ExecResult } from '../../core/ports/exec.js';

export interface VerifyDeps {
  engine: DockerEngine;
  hostProbe?: HostProbe;
  probes?: ProbeContainers;
  /** `tailscale <args>` on THIS machine (for --from-tailnet: status, ping); default runs the local CLI. */
  localTailscale?: (args: string[]) => Promise<ExecResult>;
  /** The control server's API (default: from tailscale.control.api in the config). */
  control?: ControlAccess;
  /** Is tailbridge running on the Docker host? default: DOCKER_HOST unset or unix://. */
  onDockerHost?: boolean;
}

export interface RunVerifyOptions {
  config: HomelabConfig;
  /** Directory relative config paths (auth env file, probe volumes) resolve against. */
  configDir: string;
  /** Mode to verify; detected from the running container when omitted. */
  mode?: Mode;
  /** L4 through an ephemeral probe container (userspace tailscale + SOCKS5) started on the Docker host. */
  probe?: boolean;
  /** L4 by dialing the targets directly from this machine (a tailnet device). */
  fromTailnet?: boolean;
  /** Watch for restarts this long between two inspects (default 3000 ms). */
  restartWatchMs?: number;
  /** Per-connection timeout (default 2 s; nc -w takes whole seconds). */
  connectTimeoutMs?: number;
  /** Called with a short line before each long step (the CLI prints it on a TTY). */
  onProgress?: (line: string) => void;
  /** --from-tailnet: the local tailscaled's socket (`tailscale --socket`), when not the default. */
  tailscaleSocket?: string;
  /** User-Agent for the control server's API. */
  userAgent?: string;
}
