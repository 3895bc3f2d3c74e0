import type { Rule } from '../rule.js';
import { addrPortInvalid } from './addr-port-invalid.js';
import { authKeyFilePrefixMissing } from './auth-key-file-prefix-missing.js';
import { capabilitiesUnused } from './capabilities-unused.js';
import { envLiteralQuotes } from './env-literal-quotes.js';
import { exitNodeSelf } from './exit-node-self.js';
import { extraArgsInvalid } from './extra-args-invalid.js';
import { extraArgsReset } from './extra-args-reset.js';
import { healthcheckAddrDeprecated } from './healthcheck-addr-deprecated.js';
import { magicdnsResolverUserspace } from './magicdns-resolver-userspace.js';
import { privilegedUnneeded } from './privileged-unneeded.js';
import { serveCliWithServeConfig } from './serve-cli-with-serve-config.js';
import { systemDirMounted } from './system-dir-mounted.js';
import { undefinedReference } from './undefined-reference.js';

/** Rules the public corpus (corpus/cases) called for; each lives in its own module next to this file. */
export const PACK_CORPUS: readonly Rule[] = [
  privilegedUnneeded,
  capabilitiesUnused,
  systemDirMounted,
  healthcheckAddrDeprecated,
  addrPortInvalid,
  envLiteralQuotes,
  extraArgsInvalid,
  extraArgsReset,
  exitNodeSelf,
  serveCliWithServeConfig,
  authKeyFilePrefixMissing,
  magicdnsResolverUserspace,
  undefinedReference,
];
