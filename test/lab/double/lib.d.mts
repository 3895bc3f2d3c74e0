// Types for the parts of the double's lib.mjs that TypeScript tests import.
export function parseGoBool(value: string | undefined): boolean | undefined;
export function parseUpFlags(args: string[]): {
  mentioned: Set<string>;
  unknown: string[];
  advertiseRoutes?: string;
  acceptRoutes?: boolean;
  advertiseExitNode?: boolean;
  advertiseTags?: string;
  hostname?: string;
};
export interface DoubleSettings {
  authKey: string;
  hostname: string;
  routes: string | undefined;
  extraArgs: string[];
  userspace: boolean;
  stateDir: string;
  socket: string;
  authOnce: boolean;
  acceptDNS: boolean | undefined;
  serveConfigPath: string;
  destIP: string;
  enableHealthCheck: boolean;
  localAddrPort: string;
  socks5: string;
  controlDir: string;
}
export function settingsFromEnv(env: Record<string, string | undefined>): DoubleSettings;
export function approvedRoutes(
  node: { name: string; advertisedRoutes?: string[]; tags?: string[] },
  approvals: {
    routes: Record<string, string[]>;
    exitNodes: string[];
    autoApprovers: { routes: Record<string, string[]>; exitNode: string[] };
  },
): string[];
