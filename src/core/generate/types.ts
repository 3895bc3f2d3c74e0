import type { ComposeEdit } from '../compose/edits.js';
import type { Fact } from '../facts/sources.js';
import type { HomelabConfig } from '../model/config.js';
import type { Mode } from '../model/modes.js';

/** A file written next to the compose file (serve config, host shim script…). */
export interface SideFile {
  /** Path relative to the compose file's directory. */
  path: string;
  content: string;
  purpose: string;
  executable?: boolean;
}

/** Everything one mode needs: compose edits, side files, and what the user must still do. */
export interface Generated {
  mode: Mode;
  /** Leading comment of the standalone file: mode, then the manual steps. */
  header: string;
  edits: ComposeEdit[];
  /** The standalone compose text (header + edits rendered on an empty document). */
  compose: string;
  files: SideFile[];
  manualSteps: string[];
  /** Statements about this mode, each with its source. */
  notes: Fact[];
}

export type Generator = (config: HomelabConfig) => Generated;
