/** Positions (line:col-endLine:endCol severity) the "serve-sidecar" rules report on their bad.yaml fixtures. */
export const EXPECTED_SERVE_SIDECAR: Record<string, string[]> = {};
